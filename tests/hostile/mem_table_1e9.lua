-- attacks: a table of 1e9 entries filled in a loop
-- must: a memory limit on the Lua state, with a located message
-- expect: exit 1
-- cpu: 15
local t = {}
for i = 1, 1e9 do t[i] = i end
