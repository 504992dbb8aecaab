-- expect: tests/errors/rate_limit_plain_table.lua:3: service "api": field 'rate_limit' must be a rate limit: rate_limit { rate = 100, burst = 20 }, or a rate (per second), got a table
-- A plain table where the constructor is expected.
local api = service "api" { workers = 4, work = exp(0.005), rate_limit = { rate = 100 } }
client "users" { target = api, arrivals = poisson(10) }
run { duration = 60 }
