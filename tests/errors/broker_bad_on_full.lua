-- expect: tests/errors/broker_bad_on_full.lua:3: queue "jobs": field 'on_full' must be one of "drop_new", "drop_oldest", "block", got "wait"
-- on_full takes one of three words.
local jobs = queue "jobs" { capacity = 10, on_full = "wait" }
run { duration = 60 }
