-- expect: tests/errors/request_reply_queue_subscribed.lua:6: subscribe: queue "price_replies" is a reply queue (reply_to at tests/errors/request_reply_queue_subscribed.lua:7): its replies go to the waiting callers; nobody subscribes to it
-- Only the callers read a reply queue.
local q = queue "price_requests" { }
local r = queue "price_replies" { }
subscribe(q, service "pricing" { work = exp(0.1) })
subscribe(r, service "audit" { work = exp(0.1) })
service "front" { endpoint "quote" { request(q, { reply_to = r, timeout = 1 }) } }
run { duration = 60 }
