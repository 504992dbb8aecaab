-- expect: tests/errors/pareto_alpha.lua:3: pareto: alpha must be greater than 1 when the mean is given, got 0.9
-- With alpha <= 1 a Pareto law has no mean.
service "web" { work = pareto { alpha = 0.9, mean = 0.02 } }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
