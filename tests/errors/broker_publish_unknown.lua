-- expect: tests/errors/broker_publish_unknown.lua:6: publish: unknown queue or topic 'job' (did you mean 'jobs'?)
-- publish names a queue that does not exist.
local jobs = queue "jobs" { }
subscribe(jobs, "back")
service "back" { work = exp(0.1) }
service "front" { endpoint "req" { work(0.01), publish("job") } }
client "load" { target = "front", arrivals = poisson(1) }
run { duration = 60 }
