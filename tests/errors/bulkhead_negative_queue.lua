-- expect: tests/errors/bulkhead_negative_queue.lua:5: bulkhead: field 'queue' must be an integer between 0 and 1000000, got -5
-- A negative waiting room.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { bulkhead = bulkhead { max_concurrent = 4, queue = -5 } }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
