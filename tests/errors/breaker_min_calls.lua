-- expect: tests/errors/breaker_min_calls.lua:5: circuit_breaker: min_calls (50) is more than the window (20 calls)
-- A count-based window of 20 calls can never hold 50.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { breaker = circuit_breaker {
    failure_rate = 0.5, window = 20, min_calls = 50, open_for = 30 } }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
