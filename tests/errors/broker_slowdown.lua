-- expect: tests/errors/broker_slowdown.lua:3: slowdown: target: 'jobs' is a queue: a slowdown is for a service or a host (a broker's speed is its publish_cost)
local q = queue "jobs" { }
slowdown { target = "jobs", at = 1, duration = 2, factor = 3 }
run { duration = 10 }
