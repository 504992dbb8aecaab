-- expect: tests/errors/breaker_zero_failures.lua:5: circuit_breaker: field 'failures' must be an integer between 1 and 1000000, got 0
-- A breaker opens after at least one failure.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { breaker = circuit_breaker { failures = 0, open_for = 30 } }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
