-- expect: tests/errors/breaker_rate.lua:5: circuit_breaker: unknown field 'rate' (did you mean failure_rate? a breaker opens on a failure rate with failure_rate = fraction and a window (window = n calls, or window_time = seconds))
-- The failure-rate mode's field is failure_rate (a hint says so).
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { breaker = circuit_breaker { rate = 0.5, window = 10, open_for = 30 } }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
