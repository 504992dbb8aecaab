-- attacks: arithmetic, concatenation and comparison on distribution values (must be a located Lua error)
-- expect: exit 1
local d = exp(1) + 1
