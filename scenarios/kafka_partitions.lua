-- scenarios/kafka_partitions.lua — keys, order, lag, a hot key, a consumer leaving.
--
-- An order service publishes every order (100 a second) to the topic `orders`, 8 partitions,
-- keyed by customer: 10 000 customers, one of them (a marketplace reseller) placing a quarter
-- of all orders. The group `inventory` has two consuming services of 4 consumers each, one per
-- partition; a consumer takes 25 ms a message (40 a second). The reseller's partition gets
-- 25 + 75/8 = 34 orders a second (86% busy), the others about 9 (23%): the hot key's partition
-- lags, the others do not. From t = 1200 to 1320 `inventory-b` is down: its 4 consumers leave,
-- the group pauses 2 to 4 s to rebalance, and `inventory-a`'s 4 consumers own 2 partitions
-- each — the one with the hot partition is then overloaded until `inventory-b` returns (another
-- rebalance). Order per customer holds throughout (`out_of_order` = 0). For comparison the same
-- orders also go to a plain queue, `orders-queue`, whose 8 competing consumers (prefetch 2)
-- process them out of order.
local rate = param("rate", 100)
local hot = param("hot", 0.25)

link { latency = exp(ms(0.5)) }

local orders = topic "orders" { partitions = 8, retention = 86400,
                                rebalance_pause = uniform(2, 4) }
local inv_a = service "inventory-a" { workers = 4, work = exp(ms(25)) }
local inv_b = service "inventory-b" { workers = 4, work = exp(ms(25)) }
subscribe(orders, inv_a, { group = "inventory", consumers = 4 })
subscribe(orders, inv_b, { group = "inventory", consumers = 4 })

local plain = queue "orders-queue" { }
local audit = service "audit" { workers = 8, work = exp(ms(25)) }
subscribe(plain, audit, { consumers = 8, prefetch = 16 })

local api = service "orders-api" { workers = 32,
  endpoint "place" { work(exp(ms(2))),
                     publish(orders, { key = keys(10000, { hot = hot }) }),
                     publish(plain) } }

client "shoppers" { target = api.place, arrivals = poisson(rate) }

outage { target = inv_b, at = 1200, duration = 120 }

run { duration = 2400, warmup = 60, sample = 10 }
