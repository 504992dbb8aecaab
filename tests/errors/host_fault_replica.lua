-- expect: tests/errors/host_fault_replica.lua:5: crash: host 'vm1' has no replicas (its crash takes down every replica of every service on it), got replica = 0
-- A host fails as a whole: it has no replicas to pick from.
local vm1 = host "vm1" { cores = 2 }
service "api" { workers = 4, replicas = 2, host = vm1, work = exp(0.01) }
crash { target = vm1, replica = 0, mttf = exp(100), mttr = exp(5) }
run { duration = 60 }
