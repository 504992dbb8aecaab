-- expect: tests/errors/publish_silent_no_timeout.lua:3: publish: queue 'jobs' can be down without answering (on_down = "silence" at tests/errors/publish_silent_no_timeout.lua:4) and this publish waits for its acknowledgement with no timeout: it would wait forever; give it a timeout
local q = queue "jobs" { }
local s = service "api" { workers = 1, endpoint "e" { publish(q, { ack = true }) } }
outage { target = q, at = 1, duration = 2, on_down = "silence" }
run { duration = 10 }
