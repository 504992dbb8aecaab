-- expect: tests/errors/log_leave_no_duration.lua:5: subscribe: field 'leave' must be { at = t, duration = d } with duration a positive number of seconds (math.huge: for good), got a table
-- A consumer that leaves says for how long (math.huge: for good).
local t = topic "events" { partitions = 4 }
local s = service "s" { workers = 1, work = exp(0.1) }
subscribe(t, s, { leave = { at = 600 } })
run { duration = 60 }
