-- expect: tests/errors/zero_workers.lua:3: service "web": field 'workers' must be a positive integer, got 0
-- A service needs at least one worker.
service "web" { workers = 0, work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
