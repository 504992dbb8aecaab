-- expect: tests/errors/host_slowdown_factor.lua:4: slowdown: field 'factor' must be a positive number, got 0
local vm1 = host "vm1" { cores = 2 }
service "api" { workers = 4, host = vm1, work = exp(0.01) }
slowdown { target = vm1, at = 10, duration = 5, factor = 0 }
run { duration = 60 }
