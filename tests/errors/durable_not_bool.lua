-- expect: tests/errors/durable_not_bool.lua:2: queue "jobs": field 'durable' must be true or false, got "yes"
local q = queue "jobs" { durable = "yes" }
run { duration = 10 }
