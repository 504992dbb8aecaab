-- expect: tests/errors/request_to_topic.lua:5: request: "prices" is a topic; a request goes to a queue (one consumer answers it)
-- A request goes to one consumer: a queue.
local t = topic "prices" { }
subscribe(t, service "pricing" { work = exp(0.1) })
service "front" { endpoint "quote" { request(t, { timeout = 1 }) } }
run { duration = 60 }
