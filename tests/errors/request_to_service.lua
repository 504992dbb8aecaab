-- expect: tests/errors/request_to_service.lua:5: request: 'pricing' is a service, not a queue
-- A request names a queue, not a service.
local q = queue "price_requests" { }
subscribe(q, service "pricing" { work = exp(0.1) })
service "front" { endpoint "quote" { request("pricing", { timeout = 1 }) } }
run { duration = 60 }
