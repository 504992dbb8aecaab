-- expect: tests/errors/request_no_subscribers.lua:5: request: queue "price_requests" has no subscribers: nobody would answer the request (subscribe a service to it)
-- Nobody would answer.
local q = queue "price_requests" { }
service "pricing" { work = exp(0.1) }
service "front" { endpoint "quote" { request(q, { timeout = 1 }) } }
run { duration = 60 }
