-- scenarios/checkout.lua — sync payment, async inventory (the example of the design brief).
--
-- A checkout charges the card synchronously (`payments`, with a 500 ms timeout and two
-- retries) and then either calls `inventory` too (`mode = "sync"`) or publishes the order to
-- the topic `orders` (8 partitions keyed by order, at least once), which inventory's 4
-- consumers take (`mode = "async"`, the default). Inventory is down from t = 60 to 90.
-- Questions: how many checkouts fail during the outage, how fast are they, and how long does
-- inventory lag behind afterwards?
-- Read: flows.csv (`failed`, `availability`, latency of `shoppers`); brokers.csv (`depth_max`,
-- `lag_seconds_max` of orders/inventory: how stale the stock counts got); timeseries.csv (the
-- `lag` of orders/inventory every second: when it is back to normal is the recovery).
--
--   dessa run scenarios/checkout.lua --reps 5
--   dessa run scenarios/checkout.lua --reps 5 --set mode=sync -o out/checkout-sync
--   dessa sweep scenarios/checkout.lua      (rates 100 to 400, both modes)
local mode = param("mode", "async")     -- overridable: --set mode=sync
local rate = param("rate", 200)         -- requests per second

link { latency = lognormal { median = ms(0.5), p99 = ms(4) } }    -- default for every hop

local payments  = service "payments"  { workers = 16, queue = 256, work = exp(ms(20)) }
local inventory = service "inventory" { workers = 4, work = exp(ms(15)) }
local orders    = topic "orders" { partitions = 8, delivery = "at_least_once" }
subscribe(orders, inventory, { group = "inventory", consumers = 4 })

local checkout = service "checkout" { workers = 32,
  endpoint "place" {
    work(ms(2)),
    call(payments, { timeout = ms(500), retries = 2, backoff = exponential_backoff(ms(50)) }),
    mode == "sync" and call(inventory) or publish(orders, { key = keys(100000) }),
  },
}

client "shoppers" { target = checkout, arrivals = poisson(rate) }
outage { target = inventory, at = 60, duration = 30 }

run   { duration = 420, warmup = 10, sample = 1 }
sweep { rate = { 100, 150, 200 }, mode = { "sync", "async" }, reps = 5 }
