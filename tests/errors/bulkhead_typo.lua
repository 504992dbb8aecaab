-- expect: tests/errors/bulkhead_typo.lua:5: bulkhead: unknown field 'max' (did you mean max_concurrent? the calls in flight at once are max_concurrent = n)
-- resilience4j's and others' names for the limit.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { bulkhead = bulkhead { max = 4 } }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
