-- expect: tests/errors/client_rate.lua:4: client "users": unknown field 'rate' (did you mean arrivals = poisson(10)?)
-- A rate written as a field: the hint gives the arrival process.
service "web" { work = exp(0.02) }
client "users" { target = "web", rate = 10 }
run { duration = 60 }
