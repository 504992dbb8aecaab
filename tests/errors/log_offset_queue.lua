-- expect: tests/errors/log_offset_queue.lua:5: subscribe: queue "jobs" keeps its messages until they are consumed: start and offset are for topics
-- A queue keeps what nobody consumed: no offsets.
local q = queue "jobs" { }
local s = service "s" { workers = 1, work = exp(0.1) }
subscribe(q, s, { offset = "earliest", start = 10 })
run { duration = 60 }
