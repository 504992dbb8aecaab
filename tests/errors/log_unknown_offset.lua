-- expect: tests/errors/log_unknown_offset.lua:5: subscribe: field 'offset' must be one of "earliest", "latest", got "beginning"
-- The offsets are earliest and latest.
local t = topic "events" { partitions = 4 }
local s = service "s" { workers = 1, work = exp(0.1) }
subscribe(t, s, { offset = "beginning" })
run { duration = 60 }
