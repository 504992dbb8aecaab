-- expect: tests/errors/host_crash_target_link.lua:4: crash: field 'target' must be a service, a host, a queue or a topic (or its name), got 42
local vm1 = host "vm1" { cores = 2 }
service "api" { workers = 4, host = vm1, work = exp(0.01) }
crash { target = 42, mttf = exp(100), mttr = exp(5) }
run { duration = 60 }
