-- expect: tests/errors/host_fcfs_fractional.lua:3: host "vm1": cpu = "fcfs" needs a whole number of cores, got cores = 1.5
-- FCFS hands out whole cores, on a host too.
host "vm1" { cores = 1.5, cpu = "fcfs" }
service "web" { workers = 4, host = "vm1", work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
