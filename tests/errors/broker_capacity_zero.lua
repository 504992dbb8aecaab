-- expect: tests/errors/broker_capacity_zero.lua:3: queue "jobs": field 'capacity' must be a positive integer, got 0
-- A capacity is a positive number of messages.
local jobs = queue "jobs" { capacity = 0 }
run { duration = 60 }
