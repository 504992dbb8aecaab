-- expect: tests/errors/log_partitions_zero.lua:3: topic "events": field 'partitions' must be a positive integer, got 0
-- A topic has at least one partition.
local t = topic "events" { partitions = 0 }
run { duration = 60 }
