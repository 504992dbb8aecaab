-- expect: tests/errors/io_nonblocking_parallel.lua:4: parallel: io at tests/errors/io_nonblocking_parallel.lua:4 would hold no worker in a parallel with blocking = false (the caller's worker is released); use sleep(...) for a delay, or call a service that does the work
-- io holds the thread: no thread is held in a non-blocking parallel.
service "web" { workers = 4, endpoint "get" {
  parallel { blocking = false, { io(0.01) }, { sleep(0.01) } },
} }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
