-- expect: tests/errors/negative_workers.lua:4: service "web": field 'workers' must be a positive integer, got -3
-- A negative worker count.
local n = -3
service "web" { workers = n, work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
