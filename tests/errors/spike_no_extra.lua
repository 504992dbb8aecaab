-- expect: tests/errors/spike_no_extra.lua:5: spike: field 'extra' is required
-- A latency spike needs the latency it adds.
local db = service "db" { workers = 4, work = exp(0.005) }
client "users" { target = db, arrivals = poisson(10), timeout = 1 }
spike { between = { "users", db }, at = 10, duration = 5 }
run { duration = 60 }
