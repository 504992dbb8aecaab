-- expect: tests/errors/request_publish_to_reply_queue.lua:6: queue "price_replies" is a reply queue (reply_to at tests/errors/request_publish_to_reply_queue.lua:6): only replies go there, not publishes or requests
-- Only replies go to a reply queue.
local q = queue "price_requests" { }
local r = queue "price_replies" { }
subscribe(q, service "pricing" { work = exp(0.1) })
service "front" { endpoint "quote" { request(q, { reply_to = r, timeout = 1 }), publish(r) } }
run { duration = 60 }
