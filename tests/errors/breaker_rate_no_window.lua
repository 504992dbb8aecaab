-- expect: tests/errors/breaker_rate_no_window.lua:5: circuit_breaker: failure_rate needs a window: window = n (the last n calls) or window_time = seconds (the calls of the last seconds)
-- A failure rate over what? The window is missing.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { breaker = circuit_breaker { failure_rate = 0.5, open_for = 30 } }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
