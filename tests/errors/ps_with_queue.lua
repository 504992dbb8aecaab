-- expect: tests/errors/ps_with_queue.lua:3: service "web": discipline = "ps" has no waiting room (every request gets a thread at once): leave queue out
-- Processor sharing has no waiting room.
service "web" { workers = 2, queue = 10, discipline = "ps", work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
