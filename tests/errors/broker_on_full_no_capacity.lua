-- expect: tests/errors/broker_on_full_no_capacity.lua:3: queue "jobs": on_full = "block" needs a capacity (the broker is unbounded without one)
-- on_full = "block" without a capacity blocks nothing.
local jobs = queue "jobs" { on_full = "block" }
service "front" { endpoint "req" { work(0.01), publish(jobs) } }
client "load" { target = "front", arrivals = poisson(1) }
run { duration = 60 }
