-- expect: tests/errors/link_loss_host.lua:6: link: 'cpu' is a host, not a service or client
-- Loss is for requests, replies and publishes; a host is not at either end of a hop.
local h = host "cpu" { cores = 2 }
local db = service "db" { workers = 4, work = exp(0.005), host = h }
client "users" { target = db, arrivals = poisson(10), timeout = 1 }
link { from = "users", to = "cpu", loss = 0.1 }
run { duration = 60 }
