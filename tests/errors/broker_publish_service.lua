-- expect: tests/errors/broker_publish_service.lua:4: publish: 'back' is a service, not a queue or a topic
-- publish names a service, not a broker.
service "back" { work = exp(0.1) }
service "front" { endpoint "req" { work(0.01), publish("back") } }
client "load" { target = "front", arrivals = poisson(1) }
run { duration = 60 }
