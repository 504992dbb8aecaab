-- expect: tests/errors/workers_lots.lua:3: service "web": field 'workers' must be a positive integer or "inf", got "lots"
-- workers is a count, math.huge or "inf".
service "web" { workers = "lots", work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
