-- expect: tests/errors/breaker_rate.lua:5: circuit_breaker: unknown field 'rate' (a breaker opens on consecutive failures only: give failures = n)
-- Breakers open on consecutive failures: a failure rate over a window is not a field.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { breaker = circuit_breaker { rate = 0.5, window = 10, open_for = 30 } }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
