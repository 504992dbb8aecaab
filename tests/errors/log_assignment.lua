-- expect: tests/errors/log_assignment.lua:3: topic "events": field 'assignment' must be one of "range", "round_robin", got "sticky"
-- Assignments are range and round_robin.
local t = topic "events" { partitions = 4, assignment = "sticky" }
run { duration = 60 }
