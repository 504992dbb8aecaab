-- expect: tests/errors/bulkhead_wait_no_queue.lua:5: bulkhead: max_wait is how long a call waits in the queue: give queue = n too (with queue = 0 the calls over max_concurrent fail at once)
-- max_wait without a queue to wait in.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { bulkhead = bulkhead { max_concurrent = 4, max_wait = ms(50) } }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
