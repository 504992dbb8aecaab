-- expect: tests/errors/breaker_both_modes.lua:5: circuit_breaker: give failures = n or failure_rate = fraction, not both
-- Two ways of opening at once.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { breaker = circuit_breaker { failures = 5, failure_rate = 0.5, window = 20, open_for = 30 } }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
