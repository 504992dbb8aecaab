-- expect: tests/errors/request_key.lua:5: request: unknown field 'key' (a request goes to a queue (no partitions): it takes no key)
-- A queue has no partitions.
local q = queue "price_requests" { }
subscribe(q, service "pricing" { work = exp(0.1) })
service "front" { endpoint "quote" { request(q, { key = "a", timeout = 1 }) } }
run { duration = 60 }
