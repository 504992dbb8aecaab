-- expect: tests/errors/broker_visibility_negative.lua:5: subscribe: field 'visibility_timeout' must be a positive number, got -5
-- A timeout is a positive duration.
local jobs = queue "jobs" { }
local back = service "back" { work = exp(0.1) }
subscribe(jobs, back, { visibility_timeout = -5 })
run { duration = 60 }
