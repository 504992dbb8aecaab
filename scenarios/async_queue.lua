-- scenarios/async_queue.lua — the work of sync_chain.lua, with the order processing behind a queue.
--
-- The same services, times and users as scenarios/sync_chain.lua, but web no longer waits for
-- orders (and, through it, the database): it checks auth, publishes an "order" message to the
-- queue `orders_q` and answers. Consumers of `orders` take the messages, 16 at a time, and do
-- what the synchronous call did. Web holds a thread for about 9 ms instead of 50, so 8 threads
-- are enough; the client waits for web alone (response time), while the work it caused ends
-- later (completion time: until the consumer's call to the database is done).
-- Compare: --set mode=sync runs the original synchronous chain on the same arrivals.
local threads = param("threads", 8)
local users   = param("users", 200)
local mode    = param("mode", "async")

link { latency = exp(ms(0.5)) }

local db     = service "db"     { workers = 32, work = exp(ms(30)) }
local auth   = service "auth"   { workers = 16, work = exp(ms(5)) }
local orders = service "orders" { workers = 16,
  endpoint "list" { work(exp(ms(10))), call(db) } }
local orders_q = queue "orders_q" { }
subscribe(orders_q, orders, { consumers = 16, prefetch = 32 })
local web    = service "web"    { workers = threads, queue = 200,
  endpoint "page" { work(exp(ms(2))), call(auth),
                    mode == "sync" and call(orders) or publish(orders_q),
                    work(ms(1)) } }

client "users" { target = web, users = users, think = exp(1), timeout = 5 }

run { duration = 600, warmup = 60, sample = 10 }
