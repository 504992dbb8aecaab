-- scenarios/sync_chain.lua — a chain of synchronous calls where a thread pool is the bottleneck.
--
-- The web tier does only 3 ms of its own work per page, but every call below it is blocking, so
-- each page holds one of web's threads for the whole chain (auth, then orders, which calls the
-- database): about 50 ms. With 8 threads web tops out near 8 / 0.05 = 160 pages per second
-- while auth, orders and the database still have capacity to spare: web's threads are busy
-- 100% of the time, waiting. Raise the pool (--set threads=32) and the same downstream serves
-- more pages, each five times faster.
local threads = param("threads", 8)
local users   = param("users", 200)

link { latency = exp(ms(0.5)) }

local db     = service "db"     { workers = 32, work = exp(ms(30)) }
local auth   = service "auth"   { workers = 16, work = exp(ms(5)) }
local orders = service "orders" { workers = 16,
  endpoint "list" { work(exp(ms(10))), call(db) } }
local web    = service "web"    { workers = threads, queue = 200,
  endpoint "page" { work(exp(ms(2))), call(auth), call(orders), work(ms(1)) } }

client "users" { target = web, users = users, think = exp(1), timeout = 5 }

run { duration = 600, warmup = 60, sample = 10 }
