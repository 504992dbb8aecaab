-- expect: tests/errors/call_negative_retries.lua:4: call: field 'retries' must be an integer between 0 and 1000, got -1
-- Retries count the attempts after the first: never negative.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" { call(db, { retries = -1 }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
