-- attacks: backpressure deadlock: the only consumer of a full blocking queue publishes to that same queue, so it waits for room that only it can make
-- must: end cleanly: the run completes, the blocked producers are accounted for (ledger holds), no stuck-request failure
-- expect-csv: brokers.csv depth_max <= 3
local q = queue "q" { capacity = 3, on_full = "block" }
local w = service "w" { workers = 1, endpoint "e" { work(exp(0.1)), publish(q) } }
subscribe(q, w)
local front = service "front" { workers = 4, endpoint "in" { publish(q) } }
client "c" { target = front, arrivals = poisson(5) }
run { duration = 100 }
