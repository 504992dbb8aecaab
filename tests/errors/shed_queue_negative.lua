-- expect: tests/errors/shed_queue_negative.lua:3: service "api": field 'shed_queue' must be a non-negative integer, got -1
-- A negative queue length to shed at.
local api = service "api" { workers = 4, work = exp(0.005), shed_queue = -1 }
client "users" { target = api, arrivals = poisson(10) }
run { duration = 60 }
