-- expect: tests/errors/publish_timeout_no_ack.lua:3: publish: timeout: only a publish that waits for the broker's acknowledgement has one (ack = true, or a broker with on_full = "block")
local q = queue "jobs" { }
local s = service "api" { workers = 1, endpoint "e" { publish(q, { timeout = 1 }) } }
run { duration = 10 }
