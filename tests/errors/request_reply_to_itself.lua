-- expect: tests/errors/request_reply_to_itself.lua:5: request: reply_to is the request's own queue "price_requests"; replies need a queue of their own (or leave reply_to out: the reply comes straight back)
-- Replies need their own queue.
local q = queue "price_requests" { }
subscribe(q, service "pricing" { work = exp(0.1) })
service "front" { endpoint "quote" { request(q, { reply_to = q, timeout = 1 }) } }
run { duration = 60 }
