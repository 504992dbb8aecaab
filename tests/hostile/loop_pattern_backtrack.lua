-- attacks: a string.find pattern with catastrophic backtracking (C code, not counted by the instruction budget)
-- must: stop: a wall-clock or pattern-step limit, since C code is not counted
-- expect: exit 1
local s = string.rep("a", 3000)
string.find(s, ".-.-.-.-.-b")
