-- expect: tests/errors/zero_rate.lua:4: poisson: rate must be a positive number, got 0
-- An open client needs a positive arrival rate.
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(0) }
run { duration = 60 }
