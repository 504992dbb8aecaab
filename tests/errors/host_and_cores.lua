-- expect: tests/errors/host_and_cores.lua:4: service "web": give either cores = ... (its own cores) or host = ... (a shared host's), not both
-- A service on a shared host has no cores of its own.
local vm = host "vm1" { cores = 4 }
service "web" { workers = 4, host = vm, cores = 2, work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
