-- expect: tests/errors/outage_target_client.lua:5: outage: field 'target' must be a service, a host, a queue or a topic, not a client, got client "users"
-- An outage's target must be a service, not a client.
local web = service "web" { workers = 4, work = exp(0.02) }
local users = client "users" { target = web, arrivals = poisson(10) }
outage { target = users, at = 10, duration = 5 }
run { duration = 60 }
