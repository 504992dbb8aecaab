-- expect: tests/errors/broker_dead_letter_self.lua:5: subscribe: dead_letter must be another queue or topic than queue "jobs"
-- A queue cannot be its own dead-letter queue.
local jobs = queue "jobs" { }
local back = service "back" { work = exp(0.1) }
subscribe(jobs, back, { max_deliveries = 3, dead_letter = jobs })
run { duration = 60 }
