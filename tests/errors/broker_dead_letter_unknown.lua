-- expect: tests/errors/broker_dead_letter_unknown.lua:6: subscribe: dead_letter: unknown queue or topic 'dql' (did you mean 'dlq'?)
-- A misspelt dead-letter queue.
local jobs = queue "jobs" { }
local dlq = queue "dlq" { }
local back = service "back" { work = exp(0.1) }
subscribe(jobs, back, { max_deliveries = 3, dead_letter = "dql" })
run { duration = 60 }
