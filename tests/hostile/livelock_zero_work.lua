-- attacks: zero-time livelock: work = 0 with one closed user and no think, so the clock never moves (finding 2)
-- must: end: same guard against events that never advance the clock
local web = service "web" { work = 0 }
client "users" { target = web, users = 1 }
run { duration = 10 }
