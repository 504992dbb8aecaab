-- scenarios/thread_pool.lua — how many threads does a web tier need when every page waits on a
-- slow database synchronously, and what changes when the call does not block?
--
-- web runs on a machine of 4 cores. A page does 2 ms of CPU, calls the database, then 1 ms of
-- CPU. The database is an external system that answers in 50 ms on average and never saturates
-- (an infinite server). Pages arrive at 400 per second.
--
--   dessa run scenarios/thread_pool.lua --set threads=8       (one point)
--   dessa run scenarios/thread_pool.lua --set threads=4 --set blocking=false
--   dessa sweep scenarios/thread_pool.lua -j 2                 (the sweep below)
local threads  = param("threads", 32)
local blocking = param("blocking", true)
local rate     = param("rate", 400)

link { latency = ms(0.5) }

local vm = host "vm" { cores = 4 }
local db = service "db" { workers = math.huge, endpoint "query" { io(exp(ms(50))) } }
local web = service "web" { workers = threads, queue = 2000, host = vm,
  endpoint "page" { work(exp(ms(2))), call(db, { blocking = blocking }), work(exp(ms(1))) } }

client "users" { target = web, arrivals = poisson(rate), timeout = 5 }
run { duration = 120, warmup = 20, sample = 1 }

-- The pool size, blocking and non-blocking, three replications of each point.
sweep { threads = { 4, 8, 16, 20, 24, 32 }, blocking = { true, false }, reps = 3 }
