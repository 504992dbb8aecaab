-- expect: tests/errors/hyperexp_scv.lua:3: hyperexp: scv must be at least 1, got 0.5
-- A hyperexponential is at least as variable as an exponential.
service "web" { work = hyperexp { mean = 0.02, scv = 0.5 } }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
