-- expect: tests/errors/log_key_table.lua:4: publish: field 'key' must be a key: a string, an integer, or keys(n) (a key drawn per message), got a table
-- A key is a string, an integer or keys(n).
local t = topic "events" { partitions = 4 }
local f = service "f" { workers = 1, endpoint "e" { publish(t, { key = { 1, 2 } }) } }
run { duration = 60 }
