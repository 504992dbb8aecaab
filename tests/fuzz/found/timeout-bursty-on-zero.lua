-- attacks: bursty with on = 0 and a random off period: spins, then sends nothing at all; an "on" period that is always 0 must be refused
-- expect: exit 1
-- expect-match: on
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = bursty { rate = 10, on = 0, off = exp(1) } }
run { duration = 10 }
