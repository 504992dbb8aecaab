-- expect: tests/errors/request_reply_to_topic.lua:6: request: reply_to: "prices" is a topic; replies go to a queue (each reply to its one caller)
-- A reply queue must be a queue.
local t = topic "prices" { }
local q = queue "price_requests" { }
subscribe(q, service "pricing" { work = exp(0.1) })
service "front" { endpoint "quote" { request(q, { reply_to = t, timeout = 1 }) } }
run { duration = 60 }
