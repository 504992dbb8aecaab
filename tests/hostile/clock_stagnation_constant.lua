-- attacks: constant arrivals starting at 1e17, where now + 1/rate == now (finding 2: time stagnation)
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = constant(10), start = 1e17 }
run { duration = 2e17 }
