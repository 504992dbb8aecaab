-- expect: tests/errors/request_timeout_zero.lua:5: request: field 'timeout' must be a positive number of seconds, or "none" (math.huge), got 0
-- A timeout must be positive.
local q = queue "price_requests" { }
subscribe(q, service "pricing" { work = exp(0.1) })
service "front" { endpoint "quote" { request(q, { timeout = 0 }) } }
run { duration = 60 }
