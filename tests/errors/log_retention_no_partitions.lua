-- expect: tests/errors/log_retention_no_partitions.lua:3: topic "events": retention is for a topic with partitions (partitions = P)
-- Retention is for logs (topics with partitions).
local t = topic "events" { retention = 3600 }
run { duration = 60 }
