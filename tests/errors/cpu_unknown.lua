-- expect: tests/errors/cpu_unknown.lua:3: service "web": field 'cpu' must be one of "ps", "fcfs", got "rr"
-- cpu is "ps" or "fcfs".
service "web" { workers = 4, cores = 2, cpu = "rr", work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
