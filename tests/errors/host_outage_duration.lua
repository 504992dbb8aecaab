-- expect: tests/errors/host_outage_duration.lua:4: outage: field 'duration' must be a positive number, got -5
local vm1 = host "vm1" { cores = 2 }
service "api" { workers = 4, host = vm1, work = exp(0.01) }
outage { target = vm1, at = 10, duration = -5 }
run { duration = 60 }
