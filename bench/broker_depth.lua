-- bench/broker_depth.lua: the cost of a broker operation does not depend on how many messages
-- wait. A queue holds `buffered` messages (its capacity, dropping the oldest when full) that its
-- one consumer, busy for ever with its first message, never takes; publishes keep coming at
-- 100 000/s. Run it with buffered = 1000 and 1000000: events per CPU second stay the same.
local buffered = param("buffered", 1000)
local publishes = param("publishes", 3000000)
local rate = 100000
local stuck = service "stuck" { workers = 1, work = 1e9 }
local q = queue "q" { capacity = buffered, on_full = "drop_oldest" }
subscribe(q, stuck)
local front = service "front" { workers = "inf", endpoint "p" { publish(q) } }
client "producers" { target = front, arrivals = poisson(rate) }
run { duration = publishes / rate, sample = publishes / rate / 10 }
