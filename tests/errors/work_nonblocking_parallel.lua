-- expect: tests/errors/work_nonblocking_parallel.lua:4: parallel: work at tests/errors/work_nonblocking_parallel.lua:4 would hold no worker in a parallel with blocking = false (the caller's worker is released); use sleep(...) for a delay, or call a service that does the work
-- A non-blocking parallel releases the worker: work inside it would run on no thread.
local s = service "server" { workers = 1, endpoint "req" {
  parallel { work(exp(1.0)), work(exp(1.0)), blocking = false } } }
client "load" { target = s, arrivals = poisson(0.5) }
run { duration = 100 }
