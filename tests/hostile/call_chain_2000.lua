-- attacks: a chain of 2 000 services, each calling the next (deep recursion in cycle detection and in the engine's calls)
-- must: end within the limits: linear-time checks
local prev = service "s0" { work = 0.0001 }
for i = 1, 2000 do prev = service("s" .. i) { endpoint "e" { call(prev) } } end
client "c" { target = prev, users = 1, think = 1 }
run { duration = 2 }
