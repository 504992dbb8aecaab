-- scenarios/request_reply.lua — a front asks a pricing service for a quote through a queue,
-- with a timeout, holding its thread or not; compared with a direct call.
--
-- Shoppers ask the front for a quote (60 a second). The front asks pricing for the price and
-- waits at most 250 ms; when the answer is late it quotes a cached price (a fallback) and the
-- late answer, when it comes, is discarded. Pricing has 4 consumers (or 4 threads for a call),
-- 50 ms of work each on average: 75% busy, so its waits have a long tail, and a fixed share of
-- requests outlive the timeout.
--   mode = "queue" (default): request(price_requests, { reply_to = price_replies, ... }): the
--     request and its reply are messages; the reply queue costs 1 ms per reply.
--   mode = "call": call(pricing, { timeout = 0.25, ... }): the same work, no broker.
--   blocking = true (default): the front's thread waits for the answer; false: it is given back
--     while the front waits and taken again when the answer (or the timeout) comes.
--   threads = 12: the front's threads.
--
--   dessa run scenarios/request_reply.lua --set blocking=false --set threads=6   (one point)
--   dessa run scenarios/request_reply.lua --set mode=call                         (no broker)
--   dessa sweep scenarios/request_reply.lua -j 2     (the front's threads, blocking or not)
-- What to read: brokers.csv (timeouts, late_replies, replies of price_requests), flows.csv
-- (latency p50/p99, completion: until pricing is done, late answers included), services.csv
-- (the front's threads_blocked: threads held waiting, and its wait_mean when they run out).
local threads  = param("threads", 12)
local blocking = param("blocking", true)
local mode     = param("mode", "queue")
local rate     = param("rate", 60)
local timeout  = param("timeout", 0.25)

link { latency = exp(ms(1)) }

local pricing = service "pricing" { workers = 4, endpoint "price" { work(exp(ms(50))) } }
local cached = work(ms(1))   -- the fallback: a cached price

local ask
if mode == "call" then
  ask = call(pricing, { timeout = timeout, blocking = blocking, fallback = cached })
else
  local price_requests = queue "price_requests" { }
  local price_replies = queue "price_replies" { publish_cost = ms(1), workers = 2 }
  subscribe(price_requests, pricing, { consumers = 4, prefetch = 8 })
  ask = request(price_requests, { reply_to = price_replies, timeout = timeout,
                                  blocking = blocking, fallback = cached })
end

local front = service "front" { workers = threads, queue = 1000,
  endpoint "quote" { work(exp(ms(2))), ask, work(exp(ms(1))) } }

client "shoppers" { target = front.quote, arrivals = poisson(rate) }

run { duration = 1200, warmup = 60, sample = 10 }

-- The front's threads, blocking and not, three replications of each point.
sweep { threads = { 5, 6, 8, 12 }, blocking = { true, false }, reps = 3 }
