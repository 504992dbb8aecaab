-- attacks: zero-time livelock: closed users with think 0 and queue 0; the dropped user re-sends at the same instant (finding 2)
-- must: end: detect that no simulated time passes (e.g. after 10^7 events at one instant) and fail with a located message naming the client
local web = service "web" { workers = 1, queue = 0, work = exp(0.1) }
client "users" { target = web, users = 2 }
run { duration = 10 }
