-- expect: tests/errors/negative_queue.lua:4: service "web": field 'queue' must be a non-negative integer, got -1
-- Unbounded queues are written by leaving queue out, not with -1. The line reported is
-- the line where the constructor call starts.
service "web" {
  workers = 2, queue = -1, work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
