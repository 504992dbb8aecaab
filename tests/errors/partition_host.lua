-- expect: tests/errors/partition_host.lua:6: partition: between: 'cpu' is a host, not a service, a client, a queue or a topic
-- Partitions cut the links of clients, services, queues and topics; a host has none.
local h = host "cpu" { cores = 2 }
local db = service "db" { workers = 4, work = exp(0.005), host = h }
client "users" { target = db, arrivals = poisson(10), timeout = 1 }
partition { between = { "users", "cpu" }, at = 10, duration = 5 }
run { duration = 60 }
