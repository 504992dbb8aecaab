-- attacks: one endpoint value and one step table used by two services, and a body table reused
-- expect: exit 0
local ep = endpoint "e" { work(0.001), sleep(0.001) }
local steps = { work(0.001) }
local a = service "a" { ep, endpoint "f" (steps) }
local b = service "b" { ep, endpoint "f" (steps) }
client "ca" { target = a, arrivals = poisson(1) }
client "cb" { target = b.f, arrivals = poisson(1) }
run { duration = 1 }
