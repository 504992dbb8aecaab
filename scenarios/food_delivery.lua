-- scenarios/food_delivery.lua — the order waits for the restaurant; tracking goes through a log.
--
-- Customers place 2 orders a second: `orders` confirms each one synchronously with the
-- restaurant (`restaurant`: a person pressing "accept", median 20 s, p99 2 minutes; the order
-- waits up to 3 minutes) and publishes an "order placed" event. Couriers send 100 location
-- updates a second through `courier-api`. Both kinds of update go to `tracking`, which keeps
-- the map the customers watch (16 threads, 10 ms an update). `tracking` crashes now and then
-- (up a mean of 10 minutes, down a mean of 30 s). `mode` picks how updates reach it:
--   async  published to the topic `tracking_updates` (16 partitions keyed by order, so an
--          order's updates stay in order; at least once): while tracking is down the updates
--          wait, the ones it was processing are delivered again, and it catches up when back;
--   sync   courier-api and orders call tracking (1 s timeout): what is sent while it is down
--          fails.
-- `delivery = "at_most_once"` (async) shows what the log's at-least-once delivery saves.
-- Read: brokers.csv (`published`, `acked`, `lost`, `redelivered` of tracking_updates/tracking:
-- nothing lost when published = acked + in flight), flows.csv (the couriers' `failed` in sync
-- mode, the customers' latency: the restaurant's, untouched by the crashes), faults.csv (the
-- crashes), timeseries.csv (the backlog while tracking is down).
--
--   dessa run scenarios/food_delivery.lua --reps 5
--   dessa run scenarios/food_delivery.lua --reps 5 --set mode=sync -o out/food_delivery-sync
--   dessa run scenarios/food_delivery.lua --reps 5 --set delivery=at_most_once -o out/food_delivery-amo
local mode = param("mode", "async")                 -- "async" (through the log) or "sync" (calls)
local delivery = param("delivery", "at_least_once") -- async: the log's delivery semantics
local orders_rate = param("orders", 2)              -- orders per second
local updates_rate = param("updates", 100)          -- courier location updates per second
local mttf = param("mttf", 600)                     -- tracking: mean time between crashes, s
local mttr = param("mttr", 30)                      -- and mean time to repair

link { latency = exp(ms(2)) }

local restaurant = service "restaurant" { workers = "inf",
  endpoint "confirm" { io(lognormal { median = 20, p99 = 120 }) } }
local tracking = service "tracking" { workers = 16, work = exp(ms(10)) }
crash { target = tracking, mttf = exp(mttf), mttr = exp(mttr) }

local updates = topic "tracking_updates" { partitions = 16, delivery = delivery }
subscribe(updates, tracking, { consumers = 16 })

local function track(n)   -- hand an update to tracking
  if mode == "sync" then return call(tracking, { timeout = 1 }) end
  return publish(updates, { ack = true, key = keys(n) })
end

local orders = service "orders" { workers = 1024,
  endpoint "place" { work(exp(ms(5))), call(restaurant, { timeout = 180 }), track(100000) } }
local courier_api = service "courier-api" { workers = 64,
  endpoint "location" { work(exp(ms(1))), track(100000) } }

client "customers" { target = orders.place, arrivals = poisson(orders_rate) }
client "couriers" { target = courier_api.location, arrivals = poisson(updates_rate) }
run { duration = 3600, sample = 5 }
