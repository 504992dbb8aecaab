-- expect: tests/errors/request_unknown_queue.lua:5: request: unknown queue 'price_request' (did you mean 'price_requests'?)
-- A request to a queue that does not exist.
local q = queue "price_requests" { }
subscribe(q, service "pricing" { work = exp(0.1) })
service "front" { endpoint "quote" { request("price_request", { timeout = 1 }) } }
run { duration = 60 }
