-- attacks: an endless loop in a table.sort comparator (Lua called from C)
-- must: stop within a few seconds with the budget message
-- expect: exit 1
local t = {}
for i = 1, 100 do t[i] = i end
table.sort(t, function(a, b) while true do end end)
