-- expect: tests/errors/service_threads.lua:3: service "web": unknown field 'threads' (did you mean workers? a service's threads are workers = N)
-- threads (another tool's word) for workers.
service "web" { threads = 8, work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
