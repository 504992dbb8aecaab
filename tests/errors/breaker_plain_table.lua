-- expect: tests/errors/breaker_plain_table.lua:5: call: field 'breaker' must be a circuit breaker: circuit_breaker { failures = 5, open_for = 30 }, got a table
-- The breaker option takes circuit_breaker { ... }, not a plain table.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { breaker = { failures = 5, open_for = 30 } }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
