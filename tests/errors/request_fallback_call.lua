-- expect: tests/errors/request_fallback_call.lua:5: request: field 'fallback' must be work, sleep or io steps (entry #1 is a call step), got a call step
-- A fallback is work, sleep or io.
local q = queue "price_requests" { }
subscribe(q, service "pricing" { work = exp(0.1) })
service "front" { endpoint "quote" { request(q, { timeout = 1, fallback = call("pricing") }) } }
run { duration = 60 }
