-- expect: tests/errors/host_name_taken.lua:4: service "web": the name "web" is already used by the host defined at tests/errors/host_name_taken.lua:3
-- Hosts share the namespace of services and clients.
host "web" { cores = 4 }
service "web" { workers = 4, work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
