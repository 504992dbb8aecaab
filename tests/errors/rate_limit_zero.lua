-- expect: tests/errors/rate_limit_zero.lua:3: rate_limit: field 'rate' must be a positive number, got 0
-- A rate limit that lets nothing through.
local api = service "api" { workers = 4, work = exp(0.005), rate_limit = rate_limit { rate = 0 } }
client "users" { target = api, arrivals = poisson(10) }
run { duration = 60 }
