-- expect: tests/errors/crash_replica_out_of_range.lua:5: crash: service 'web' has 2 replicas (0 to 1), got replica = 2
-- Replicas are numbered from 0.
local web = service "web" { workers = 4, replicas = 2, work = exp(0.02) }
client "users" { target = web, arrivals = poisson(10) }
crash { target = web, replica = 2, mttf = exp(100), mttr = exp(5) }
run { duration = 60 }
