-- expect: tests/errors/subscribe_prefetch_small.lua:5: subscribe: prefetch (2) must be at least consumers (4): each consumer needs a message delivered to work on
-- prefetch bounds deliveries not yet acknowledged: each consumer needs one.
local back = service "back" { workers = 4, work = exp(0.1) }
local jobs = queue "jobs" { }
subscribe(jobs, back, { consumers = 4, prefetch = 2 })
run { duration = 60 }
