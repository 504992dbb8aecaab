-- expect: tests/errors/log_partitions_queue.lua:3: queue "jobs": partitions are for a topic (a queue is one buffer of competing consumers): write topic "jobs" { partitions = 4 }
-- Partitions split a topic; a queue is one buffer of competing consumers.
local q = queue "jobs" { partitions = 4 }
run { duration = 60 }
