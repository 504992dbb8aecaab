-- expect: tests/errors/partition_broker.lua:6: partition: between: 'jobs' is a queue, not a service or client
-- Partitions cut requests and replies between clients and services, not a broker's links.
local db = service "db" { workers = 4, work = exp(0.005) }
local q = queue "jobs" { }
client "users" { target = db, arrivals = poisson(10), timeout = 1 }
partition { between = { "users", q }, at = 10, duration = 5 }
run { duration = 60 }
