-- attacks: run { duration = 1e300 } with an open client: accepted without a warning, never ends
-- must: refuse an absurd duration, or warn and stop on an event or time limit
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1e300 }
