-- expect: tests/errors/backoff_arrival_process.lua:5: call: field 'backoff' must be a backoff (constant(...) and poisson(...) are arrival processes; a fixed delay is constant_backoff(d) or just d), got an arrival process
-- constant(...) is an arrival process, not a backoff.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { retries = 2, backoff = constant(ms(10)) }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
