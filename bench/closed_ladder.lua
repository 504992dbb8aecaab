-- bench/closed_ladder.lua — the cost of an event as the calendar grows: `users` closed users
-- thinking exp(1) s between requests to one service (work exp(0.01) s, one worker per 50 users:
-- utilization about 0.5), so about `users` think timers are pending at any time. The run lasts
-- `requests` / `users` seconds of simulated time, so every rung does about `requests` requests
-- (about 4 events each) whatever its size.
--   dessa run bench/closed_ladder.lua -q -o /tmp/cl --set users=1000000
local users = param("users", 1000)
local requests = param("requests", 2e6)
local s = service "s" { workers = math.max(1, math.ceil(users / 50)), work = exp(0.01) }
client "users" { target = s, users = users, think = exp(1) }
run { duration = math.max(2, requests / users), sample = math.max(2, requests / users) }
