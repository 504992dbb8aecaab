-- expect: tests/errors/rate_too_high.lua:4: poisson: rate must be at most 1e9 per second, got 1e+308
-- The engine takes at most 1e9 arrivals per second (every arrival process, every schedule rate).
service "web" { work = exp(0.01) }
client "c" { target = "web", arrivals = poisson(1e308) }
run { duration = 10 }
