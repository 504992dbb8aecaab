-- example: clients
local web = service "web" { workers = 4, queue = 50, work = exp(ms(30)) }
client "steady" { target = web, arrivals = poisson(20), timeout = 1 }
client "ramp" { target = "web", arrivals = schedule { { 0, 5 }, { minutes(5), 40 }, { minutes(10), 5 } } }
client "spikes" { target = web, arrivals = bursty { rate = 200, on = exp(2), off = exp(60) } }
client "staff" { target = web, users = 5, think = exp(10), priority = 2, start = 30, limit = 1000 }
run { duration = minutes(15), warmup = 30, sample = 15, seed = 7 }
