-- expect: tests/errors/broker_dead_letter_no_max.lua:6: subscribe: dead_letter needs max_deliveries = n (the deliveries after which a message goes there)
-- Without max_deliveries a message is redelivered for ever and never dead-lettered.
local jobs = queue "jobs" { }
local dlq = queue "dlq" { }
local back = service "back" { work = exp(0.1) }
subscribe(jobs, back, { dead_letter = dlq })
run { duration = 60 }
