-- expect: tests/errors/run_reps.lua:5: run: unknown field 'reps' (--reps is given on the command line: dessa run SCENARIO --reps 10)
-- Replications belong on the command line.
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60, reps = 10 }
