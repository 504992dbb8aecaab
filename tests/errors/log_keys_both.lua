-- expect: tests/errors/log_keys_both.lua:4: keys: zipf and hot are two different laws: give one
-- One law of keys at a time.
local t = topic "events" { partitions = 4 }
local f = service "f" { workers = 1, endpoint "e" { publish(t, { key = keys(10, { zipf = 1, hot = 0.5 }) }) } }
run { duration = 60 }
