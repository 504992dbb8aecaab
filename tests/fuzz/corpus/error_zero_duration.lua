-- expect: tests/errors/zero_duration.lua:5: run: field 'duration' must be a positive number, got 0
-- The run must last some time.
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 0 }
