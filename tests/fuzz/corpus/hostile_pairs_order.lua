-- attacks: services declared in pairs() order, which Lua randomises per process (finding 7): results must not change
-- expect: exit 0
-- expect-same:
local names = {}
for i = 1, 30 do names["svc" .. i] = i end
local first
for name, i in pairs(names) do
  local s = service(name) { workers = 1 + i % 3, work = exp(0.01 * i) }
  client("c_" .. name) { target = s, arrivals = poisson(5) }
end
run { duration = 20 }
