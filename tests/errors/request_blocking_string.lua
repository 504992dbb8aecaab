-- expect: tests/errors/request_blocking_string.lua:5: request: field 'blocking' must be true or false, got "no"
-- blocking is a boolean.
local q = queue "price_requests" { }
subscribe(q, service "pricing" { work = exp(0.1) })
service "front" { endpoint "quote" { request(q, { blocking = "no", timeout = 1 }) } }
run { duration = 60 }
