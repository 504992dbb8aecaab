-- expect: tests/errors/breaker_zero_probes.lua:5: circuit_breaker: field 'probes' must be an integer between 1 and 1000000, got 0
-- A half-open breaker lets at least one probe through, or it would never close.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { breaker = circuit_breaker { failures = 5, open_for = 30, probes = 0 } }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
