-- expect: tests/errors/broker_bad_delivery.lua:5: subscribe: field 'delivery' must be one of "at_least_once", "at_most_once", got "exactly_once"
-- Two delivery semantics; exactly once is at_least_once with idempotent consumers.
local jobs = queue "jobs" { }
local back = service "back" { work = exp(0.1) }
subscribe(jobs, back, { delivery = "exactly_once" })
run { duration = 60 }
