-- expect: tests/errors/broker_dead_letter_name.lua:5: subscribe: dead_letter: 'back' is a service, not a queue or a topic
-- The dead-letter destination, given by name, is a broker.
local jobs = queue "jobs" { }
local back = service "back" { work = exp(0.1) }
subscribe(jobs, back, { max_deliveries = 3, dead_letter = "back" })
run { duration = 60 }
