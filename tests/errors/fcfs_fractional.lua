-- expect: tests/errors/fcfs_fractional.lua:3: service "web": cpu = "fcfs" needs a whole number of cores, got cores = 2.5
-- FCFS hands out whole cores.
service "web" { workers = 4, cores = 2.5, cpu = "fcfs", work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
