-- attacks: constant arrivals starting at 1e17, where now + 1/rate == now (finding 2: time stagnation)
-- must: end: refuse (or fail at run time) when 1/rate is below the clock's resolution at start
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = constant(10), start = 1e17 }
run { duration = 2e17 }
