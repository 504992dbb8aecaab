-- attacks: six 1 GiB strings kept alive (no memory cap on the Lua state, finding 4)
-- must: a memory limit on the Lua state, with a located message
-- expect: exit 1
local keep = {}
for i = 1, 6 do keep[i] = string.rep(string.char(64 + i), 2^30) end
