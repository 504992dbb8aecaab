-- expect: tests/errors/call_unknown_jitter.lua:5: call: field 'jitter' must be one of "none", "full", "equal", "decorrelated", got "random"
-- Jitter is one of four names.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { retries = 2, backoff = exponential_backoff(ms(10)), jitter = "random" }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
