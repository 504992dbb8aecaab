-- scenarios/pubsub_fanout.lua — one event, three subscriber groups at different speeds.
--
-- A checkout service publishes an "order placed" event to the topic `orders` for every order
-- (50 per second) and answers. Three groups subscribe: `email` (fast, 5 ms a message, 2
-- consumers), `analytics` (50 ms, 4 consumers: 62% busy) and `invoicing` (18 ms, 1 consumer:
-- 90% busy). Every group gets every event; each has its own buffer and lag, so the slow one
-- falls behind without slowing the others or the checkout's answers. The completion time of an
-- order is set by its slowest group.
local rate = param("rate", 50)

link { latency = exp(ms(0.5)) }

local email     = service "email"     { workers = 2, work = exp(ms(5)) }
local analytics = service "analytics" { workers = 4, work = exp(ms(50)) }
local invoicing = service "invoicing" { workers = 1, work = exp(ms(18)) }
local orders = topic "orders" { }
subscribe(orders, email,     { consumers = 2 })
subscribe(orders, analytics, { consumers = 4 })
subscribe(orders, invoicing, { consumers = 1, prefetch = 8 })

local checkout = service "checkout" { workers = 16,
  endpoint "place" { work(exp(ms(3))), publish(orders, { ack = true }) } }

client "shoppers" { target = checkout, arrivals = poisson(rate) }

run { duration = 3600, warmup = 60, sample = 60 }
