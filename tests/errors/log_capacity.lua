-- expect: tests/errors/log_capacity.lua:3: topic "events": a topic with partitions is a log: it keeps messages by retention (retention = seconds, retention_size = messages per partition), not by capacity or on_full
-- A partitioned topic is a log: retention, not capacity.
local t = topic "events" { partitions = 4, capacity = 100 }
run { duration = 60 }
