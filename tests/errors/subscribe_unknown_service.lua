-- expect: tests/errors/subscribe_unknown_service.lua:4: subscribe: unknown service 'bakc' (did you mean 'back'?)
-- A subscriber named by a string must exist by the end of the scenario.
local jobs = queue "jobs" { }
subscribe(jobs, "bakc")
service "back" { work = exp(0.1) }
service "front" { endpoint "req" { work(0.01), publish(jobs) } }
client "load" { target = "front", arrivals = poisson(1) }
run { duration = 60 }
