-- expect: tests/errors/unknown_client_target.lua:4: client "users": target: unknown service 'wbe' (did you mean 'web'?)
-- A client's target must be a service of the scenario.
service "web" { work = exp(0.02) }
client "users" { target = "wbe", arrivals = poisson(10) }
run { duration = 60 }
