-- expect: tests/errors/missing_duration.lua:5: run: field 'duration' is required
-- duration is the only required field of run.
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { warmup = 10 }
