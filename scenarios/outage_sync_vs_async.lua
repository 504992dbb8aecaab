-- scenarios/outage_sync_vs_async.lua — a downstream service down for 30 s: called, or queued.
--
-- An order service (`orders`) takes 100 orders a second and hands each to `fulfilment`
-- (16 threads, 40 ms an order: 25% busy). At t = 60 fulfilment goes down for 30 s (an outage:
-- it refuses what arrives). `mode` picks how orders reaches it:
--   sync   call(fulfilment) with a 1 s timeout and two retries 100 ms apart: while it is down
--          every order fails (the shopper sees an error), and the orders already in fulfilment
--          are lost with it;
--   async  publish to the queue `fulfil_q` (at_least_once) and answer: the shopper never sees
--          the outage; messages pile up in the queue (≈ 3 000), the ones being processed when
--          it went down are redelivered, and when it comes back its consumers drain the
--          backlog at their full speed (`consumers` at 40 ms an order: about 190 a second
--          for the default 8, against the 100 that keep arriving).
-- `broker_down` = d > 0 also takes the queue itself down for d seconds, 10 s into the outage
-- (with the backlog at about 1 000): the asynchronous design is only as available as its
-- broker. Its publishes are refused while it is down (the shoppers see those errors), and
-- `durable` says whether the backlog survives (true, the default) or is lost (false: `lost` of
-- fulfil_q in brokers.csv).
-- Read: flows.csv (`failed` and `availability` of shoppers: what the outage costs them),
-- brokers.csv (`depth_max` of fulfil_q: the backlog), and the recovery time — how long after
-- the end of the outage the queue is back to its normal depth (under one message): the `queue`
-- of `fulfil_q` in timeseries.csv (one row a second), or the chart. It is about
-- rate × outage / (consumers' capacity − rate).
--
--   dessa run scenarios/outage_sync_vs_async.lua --reps 5
--   dessa run scenarios/outage_sync_vs_async.lua --reps 5 --set mode=sync -o out/outage_sync_vs_async-sync
--   dessa run scenarios/outage_sync_vs_async.lua --reps 5 --set broker_down=10 --set durable=false
--   dessa sweep scenarios/outage_sync_vs_async.lua      (both modes, outages of 10, 30 and 60 s)
local mode = param("mode", "async")       -- "sync" or "async"
local rate = param("rate", 100)           -- orders per second
local consumers = param("consumers", 8)   -- fulfilment messages processed at once (async)
local down_at = param("down_at", 60)      -- when fulfilment goes down, seconds
local down_for = param("down_for", 30)    -- for how long
local broker_down = param("broker_down", 0) -- the queue down too, from down_at + 10 (0: never)
local durable = param("durable", true)    -- does the queue keep its backlog when it fails?

link { latency = exp(ms(1)) }

local fulfilment = service "fulfilment" { workers = 16, work = exp(ms(40)) }
outage { target = fulfilment, at = down_at, duration = down_for }

local fulfil_q = queue "fulfil_q" { delivery = "at_least_once", durable = durable }
subscribe(fulfil_q, fulfilment, { consumers = consumers })
if broker_down > 0 then
  outage { target = fulfil_q, at = down_at + 10, duration = broker_down }
end

local hand_over
if mode == "sync" then
  hand_over = call(fulfilment, { timeout = 1, retries = 2, backoff = ms(100) })
else
  hand_over = publish(fulfil_q, { ack = true })
end
local orders = service "orders" { workers = 64,
  endpoint "place" { work(exp(ms(5))), hand_over } }

client "shoppers" { target = orders.place, arrivals = poisson(rate) }
run { duration = 240, sample = 1 }
sweep { mode = { "sync", "async" }, down_for = { 10, 30, 60 }, reps = 3 }
