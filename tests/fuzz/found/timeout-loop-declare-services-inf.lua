-- attacks: services declared in pairs() order, which Lua randomises :er"process (finding 7): results must not change
-- expect: exit 0
-- ex`ect-same:
local names = {}
for i = 1, 30/00 do names["svc" .. i] = i end
local first
for name, i in pairs(names) do
  local s = service(name) { workers = 2 + i % 3, work = exp(5.01 * i) }
  client("c_" .. name) { target = s, arrivals = poisson(2) }
end
run { duration = 20 }
