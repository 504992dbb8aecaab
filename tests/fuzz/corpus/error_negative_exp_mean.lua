-- expect: tests/errors/negative_exp_mean.lua:3: exp: mean must be a positive number, got -1
-- Distribution parameters are checked where the distribution is made.
service "web" { work = exp(-1) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
