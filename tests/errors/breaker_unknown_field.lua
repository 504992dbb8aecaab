-- expect: tests/errors/breaker_unknown_field.lua:5: circuit_breaker: unknown field 'probe' (did you mean 'probes'?)
-- A misspelt field of a breaker is named, with a suggestion.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { breaker = circuit_breaker { failures = 5, open_for = 30, probe = 2 } }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
