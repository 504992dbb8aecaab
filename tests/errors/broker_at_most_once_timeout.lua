-- expect: tests/errors/broker_at_most_once_timeout.lua:5: subscribe: visibility_timeout does not apply to delivery = "at_most_once" (acknowledged on receipt, a message is never redelivered)
-- at_most_once never redelivers.
local jobs = queue "jobs" { }
local back = service "back" { work = exp(0.1) }
subscribe(jobs, back, { delivery = "at_most_once", visibility_timeout = 30 })
run { duration = 60 }
