-- expect: tests/errors/subscribe_queue_group.lua:5: subscribe: queue "jobs" has one group of competing consumers; group is for topics
-- A queue has one group of competing consumers.
local back = service "back" { work = exp(0.1) }
local jobs = queue "jobs" { }
subscribe(jobs, back, { group = "billing" })
run { duration = 60 }
