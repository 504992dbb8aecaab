-- attacks: bursty with on = 0 and off = 0 (finding 2: next_arrival loops inside one event)
-- must: refuse bursty periods that can be 0, at the bursty line
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = bursty { rate = 10, on = 0, off = 0 } }
run { duration = 10 }
