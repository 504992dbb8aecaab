-- expect: tests/errors/silence_without_timeout.lua:4: call: 'db' can be down without answering (on_down = "silence" at tests/errors/silence_without_timeout.lua:6) and this call has no timeout: it would wait forever; give it a timeout
-- A service that can be down without answering needs callers with a timeout.
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" { call(db) } }
client "users" { target = web, arrivals = poisson(10) }
crash { target = db, mttf = exp(100), mttr = exp(5), on_down = "silence" }
run { duration = 60 }
