-- expect: tests/errors/think_open_client.lua:4: client "users": think is only for closed clients (users = N)
-- Think times belong to closed workloads.
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10), think = exp(1) }
run { duration = 60 }
