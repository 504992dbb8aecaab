-- expect: tests/errors/log_leave_no_partitions.lua:5: subscribe: leave: topic "events" has no partitions (a consumer leaving makes a group of a topic with partitions rebalance)
-- Leaving rebalances partitions: the topic has none.
local t = topic "events" { }
local s = service "s" { workers = 1, work = exp(0.1) }
subscribe(t, s, { leave = { at = 600, duration = 60 } })
run { duration = 60 }
