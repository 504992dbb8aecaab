-- expect: tests/errors/broker_dead_letter_service.lua:5: subscribe: field 'dead_letter' must be a queue or a topic (or its name), got service "back"
-- The dead-letter destination is a broker.
local jobs = queue "jobs" { }
local back = service "back" { work = exp(0.1) }
subscribe(jobs, back, { max_deliveries = 3, dead_letter = back })
run { duration = 60 }
