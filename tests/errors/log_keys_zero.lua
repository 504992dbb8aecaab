-- expect: tests/errors/log_keys_zero.lua:4: keys: the number of keys must be between 1 and 10000000, got 0
-- keys(n) draws among n >= 1 keys.
local t = topic "events" { partitions = 4 }
local f = service "f" { workers = 1, endpoint "e" { publish(t, { key = keys(0) }) } }
run { duration = 60 }
