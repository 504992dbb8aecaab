-- expect: tests/errors/breaker_rate_range.lua:5: circuit_breaker: field 'failure_rate' must be a number above 0 and at most 1, got 50
-- A percentage where a fraction is expected.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { breaker = circuit_breaker { failure_rate = 50, window = 20, open_for = 30 } }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
