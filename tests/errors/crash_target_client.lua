-- expect: tests/errors/crash_target_client.lua:4: crash: field 'target' must be a service, a host, a queue or a topic, not a client, got client "users"
local s = service "api" { workers = 1, work = exp(0.1) }
local c = client "users" { target = s, arrivals = poisson(1) }
crash { target = c, mttf = exp(100), mttr = exp(1) }
run { duration = 10 }
