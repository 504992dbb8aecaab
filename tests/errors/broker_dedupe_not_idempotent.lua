-- expect: tests/errors/broker_dedupe_not_idempotent.lua:5: subscribe: dedupe_window is the memory of an idempotent consumer: give idempotent = true
-- A dedupe window without idempotent = true.
local jobs = queue "jobs" { }
local back = service "back" { work = exp(0.1) }
subscribe(jobs, back, { dedupe_window = 60 })
run { duration = 60 }
