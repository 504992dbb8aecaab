-- attacks: zero-time livelock through a queue: the consumer republishes every message to its own queue at once, with no work and no latency
-- must: end: the guard against events that never advance the clock names the loop
-- cpu: 10
-- (the guard fires after ten million events at one instant, in each of the two replications: 0.3 s of CPU on a Release build, about ten on a sanitized one)
local q = queue "loop" { }
local w = service "w" { workers = 1, endpoint "e" { publish("loop") } }
subscribe(q, w)
local front = service "front" { endpoint "in" { publish(q) } }
client "c" { target = front, limit = 1, arrivals = poisson(1) }
run { duration = 10 }
