-- expect: tests/errors/request_no_queue.lua:3: request: the queue is nil (for a queue defined further down, use its name: request("price_requests"))
-- The queue is nil (defined further down, or a typo).
service "front" { endpoint "quote" { request(nil, { timeout = 1 }) } }
run { duration = 60 }
