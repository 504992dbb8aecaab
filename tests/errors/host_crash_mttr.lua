-- expect: tests/errors/host_crash_mttr.lua:4: crash: field 'mttr' is required
local vm1 = host "vm1" { cores = 2 }
service "api" { workers = 4, host = vm1, work = exp(0.01) }
crash { target = vm1, mttf = exp(100) }
run { duration = 60 }
