-- expect: tests/errors/arrivals_number.lua:4: client "users": field 'arrivals' must be an arrival process, as poisson(10) for 10 requests per second, got 10
-- arrivals given a bare number: the hint gives poisson(rate).
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = 10 }
run { duration = 60 }
