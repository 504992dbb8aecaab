-- expect: tests/errors/timeout_zero.lua:4: client "users": field 'timeout' must be a positive number of seconds, or "none" (math.huge), got 0
-- A zero timeout: "none" or math.huge is written for no timeout.
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10), timeout = 0 }
run { duration = 60 }
