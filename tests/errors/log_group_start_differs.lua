-- expect: tests/errors/log_group_start_differs.lua:6: subscribe: group 'g' of topic "events" starts at 0 from the latest offset (tests/errors/log_group_start_differs.lua:5), here at 100 from the earliest: every subscription of a group starts alike
-- Subscriptions of one group start alike.
local t = topic "events" { partitions = 4 }
local s = service "s" { workers = 1, work = exp(0.1) }
subscribe(t, s, { group = "g" })
subscribe(t, "s", { group = "g", start = 100, offset = "earliest" })
run { duration = 60 }
