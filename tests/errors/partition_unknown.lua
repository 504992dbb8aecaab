-- expect: tests/errors/partition_unknown.lua:6: partition: between: unknown service, client, queue or topic 'dbb' (did you mean 'db'?)
-- A partition names a service that does not exist (a typo of "db").
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" { call(db, { timeout = 1 }) } }
client "users" { target = web, arrivals = poisson(10) }
partition { between = { web, "dbb" }, at = 10, duration = 5 }
run { duration = 60 }
