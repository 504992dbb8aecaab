-- expect: tests/errors/broker_name_taken.lua:4: queue "jobs": the name "jobs" is already used by the service defined at tests/errors/broker_name_taken.lua:3
-- Brokers share the namespace of services and clients.
service "jobs" { work = exp(0.1) }
local jobs = queue "jobs" { }
run { duration = 60 }
