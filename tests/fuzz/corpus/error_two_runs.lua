-- expect: tests/errors/two_runs.lua:6: run: the scenario already has a run block at tests/errors/two_runs.lua:5
-- A second run block is rejected.
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
run { duration = 120 }
