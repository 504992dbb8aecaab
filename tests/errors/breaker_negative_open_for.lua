-- expect: tests/errors/breaker_negative_open_for.lua:5: circuit_breaker: field 'open_for' must be a positive number, got -1
-- A breaker stays open for a positive time.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { breaker = circuit_breaker { failures = 5, open_for = -1 } }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
