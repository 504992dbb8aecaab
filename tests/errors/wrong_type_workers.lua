-- expect: tests/errors/wrong_type_workers.lua:3: service "web": field 'workers' must be a positive integer or "inf", got "four"
-- A string where a number is expected is shown quoted.
service "web" { workers = "four", work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
