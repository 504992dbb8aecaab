-- expect: tests/errors/breaker_window_time_tiny.lua:5: circuit_breaker: window_time must be at least 1e-06 s (a microsecond), got 1e-12
-- A window shorter than the engine can slice.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { breaker = circuit_breaker { failure_rate = 0.5, window_time = 1e-12, open_for = 30 } }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
