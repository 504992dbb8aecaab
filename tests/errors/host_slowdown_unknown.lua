-- expect: tests/errors/host_slowdown_unknown.lua:4: slowdown: target: unknown service or host 'vm' (did you mean 'vm1'?)
local vm1 = host "vm1" { cores = 2 }
service "api" { workers = 4, host = vm1, work = exp(0.01) }
slowdown { target = "vm", at = 10, duration = 5, factor = 2 }
run { duration = 60 }
