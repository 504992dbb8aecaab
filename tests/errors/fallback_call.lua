-- expect: tests/errors/fallback_call.lua:6: call: field 'fallback' must be work, sleep or io steps (entry #1 is a call step), got a call step
-- A fallback runs work, sleep or io steps only.
local db = service "db" { workers = 4, work = exp(0.005) }
local cache = service "cache" { workers = 4, work = exp(0.001) }
local web = service "web" { workers = 4, endpoint "get" {
  call(db, { fallback = call(cache) }) } }
client "users" { target = web, arrivals = poisson(10) }
run { duration = 60 }
