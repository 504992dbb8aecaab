-- expect: tests/errors/log_prefetch.lua:5: subscribe: topic "events" has partitions: each consumer takes one message of its partitions at a time, in order, so prefetch does not apply
-- A partition's consumer takes one message at a time.
local t = topic "events" { partitions = 4 }
local s = service "s" { workers = 1, work = exp(0.1) }
subscribe(t, s, { consumers = 2, prefetch = 8 })
run { duration = 60 }
