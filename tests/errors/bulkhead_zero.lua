-- expect: tests/errors/bulkhead_zero.lua:5: bulkhead: field 'max_concurrent' must be an integer between 1 and 1000000, got 0
-- A bulkhead that lets nothing through.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { bulkhead = bulkhead { max_concurrent = 0 } }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
