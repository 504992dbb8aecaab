-- expect: tests/errors/outage_target_name.lua:5: outage: target: 'users' is a client, not a service, a host, a queue or a topic
-- An outage named by a client's name: found at the end, where every name is known.
local web = service "web" { workers = 4, work = exp(0.02) }
client "users" { target = web, arrivals = poisson(10) }
outage { target = "users", at = 10, duration = 5 }
run { duration = 60 }
