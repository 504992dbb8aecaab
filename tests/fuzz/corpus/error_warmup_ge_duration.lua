-- expect: tests/errors/warmup_ge_duration.lua:5: run: warmup must be less than duration, got warmup = 60, duration = 60
-- The warm-up must leave some time to measure.
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60, warmup = 60 }
