-- expect: tests/errors/broker_replica.lua:3: outage: queue 'jobs' has no replicas, got replica = 0
local q = queue "jobs" { }
outage { target = q, at = 1, duration = 2, replica = 0 }
run { duration = 10 }
