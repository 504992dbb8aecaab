-- expect: tests/errors/outage_negative_duration.lua:5: outage: field 'duration' must be a positive number, got -5
-- A duration must be positive.
local web = service "web" { workers = 4, work = exp(0.02) }
client "users" { target = web, arrivals = poisson(10) }
outage { target = web, at = 10, duration = -5 }
run { duration = 60 }
