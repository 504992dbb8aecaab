-- validation: Little's law for a synchronous thread pool. Each request of `app` works
-- `work` seconds on a core (exponential), then calls `db`, an infinite server whose endpoint is
-- blocking I/O of `io` seconds, holding the caller's thread. Threads working = rate * work,
-- threads blocked = rate * io.
local rate     = param("rate", 100)
local work_s   = param("work", 0.01)
local io_s     = param("io", 0.05)
local duration = param("duration", 2000)
local warmup   = param("warmup", 50)

local db = service "db" { workers = math.huge, endpoint "query" { io(io_s) } }
local app = service "app" { workers = "inf", endpoint "get" { work(exp(work_s)), call(db) } }
client "arrivals" { target = app, arrivals = poisson(rate) }
run { duration = duration, warmup = warmup, sample = duration / 10 }
