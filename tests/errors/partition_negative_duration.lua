-- expect: tests/errors/partition_negative_duration.lua:5: partition: field 'duration' must be a positive number, got -5
-- A partition's duration must be positive.
local db = service "db" { workers = 4, work = exp(0.005) }
client "users" { target = db, arrivals = poisson(10), timeout = 1 }
partition { between = { "users", db }, at = 10, duration = -5 }
run { duration = 60 }
