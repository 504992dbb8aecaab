-- expect: tests/errors/negative_queue.lua:4: service "web": field 'queue' must be a non-negative integer, or "unbounded" (math.huge), got -1
-- Unbounded queues are written "unbounded" (or math.huge), or by leaving queue out; not -1.
-- The line reported is the line where the constructor call starts.
service "web" {
  workers = 2, queue = -1, work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
