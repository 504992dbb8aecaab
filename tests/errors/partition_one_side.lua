-- expect: tests/errors/partition_one_side.lua:5: partition: field 'between' must be two sides, as in between = { a, b } (each a service, a client, a name or a list of them), got a table
-- between takes two sides; one name alone is not a partition.
local db = service "db" { workers = 4, work = exp(0.005) }
client "users" { target = db, arrivals = poisson(10), timeout = 1 }
partition { between = { db }, at = 10, duration = 5 }
run { duration = 60 }
