-- expect: tests/errors/no_endpoints.lua:3: service "web": has no endpoints (give work = ... or endpoint "name" { ... } entries)
-- A service must do something.
service "web" { workers = 2 }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
