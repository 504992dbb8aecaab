-- attacks: a comparator that is not an order (always true): Lua raises "invalid order function"; the message must be located
-- expect: exit 1
local t = {}
for i = 1, 1000 do t[i] = i % 7 end
table.sort(t, function(a, b) return true end)
