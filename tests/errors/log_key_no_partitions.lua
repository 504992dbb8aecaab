-- expect: tests/errors/log_key_no_partitions.lua:6: publish: key: topic "events" has no partitions (a key picks a partition of a topic with partitions = P)
-- A key picks a partition: the topic has none.
local t = topic "events" { }
local s = service "s" { workers = 1, work = exp(0.1) }
subscribe(t, s)
local f = service "f" { workers = 1, endpoint "e" { publish(t, { key = "order" }) } }
client "c" { target = f, arrivals = poisson(1) }
run { duration = 60 }
