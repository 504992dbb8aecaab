-- expect: tests/errors/duration_too_long.lua:5: run: duration must be at most 1e10 s (about 317 years), got 1e+300
-- Durations are capped (time would lose the precision of short delays).
service "web" { work = exp(0.01) }
client "c" { target = "web", arrivals = poisson(1) }
run { duration = 1e300 }
