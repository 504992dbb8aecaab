-- expect: tests/errors/rate_limit_burst.lua:3: rate_limit: field 'burst' must be a number of at least 1, got 0.5
-- A bucket smaller than one token never admits anything.
local api = service "api" { workers = 4, work = exp(0.005), rate_limit = rate_limit { rate = 100, burst = 0.5 } }
client "users" { target = api, arrivals = poisson(10) }
run { duration = 60 }
