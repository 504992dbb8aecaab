-- expect: tests/errors/host_fault_unknown.lua:4: outage: target: unknown service, host, queue or topic 'vm2' (did you mean 'vm1'?)
local vm1 = host "vm1" { cores = 2 }
service "api" { workers = 4, host = vm1, work = exp(0.01) }
outage { target = "vm2", at = 10, duration = 5 }
run { duration = 60 }
