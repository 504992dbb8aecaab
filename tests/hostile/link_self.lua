-- attacks: a link from a service to itself and a link between two clients (pairs that no hop uses)
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
client "d" { target = web, arrivals = poisson(1) }
link { from = "web", to = "web", latency = 0.001 }
link { from = "c", to = "d", latency = 0.001 }
run { duration = 1 }
