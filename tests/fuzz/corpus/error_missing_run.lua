-- expect: tests/errors/missing_run.lua: scenario has no run { ... } block
-- Every scenario needs exactly one run block.
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
