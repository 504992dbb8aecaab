-- expect: tests/errors/link_loss_broker.lua:6: link: 'jobs' is a queue: loss applies to requests and replies between clients and services (messages have their own delivery guarantees)
-- Loss is for requests and replies; a queue's messages are never lost on a link.
local db = service "db" { workers = 4, work = exp(0.005) }
local q = queue "jobs" { }
client "users" { target = db, arrivals = poisson(10), timeout = 1 }
link { from = "users", to = q, loss = 0.1 }
run { duration = 60 }
