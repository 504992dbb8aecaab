-- expect: tests/errors/missing_body.lua:3: service "cache" has no body (write service "cache" { ... })
-- A service name alone does not make a service.
local cache = service "cache"
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
