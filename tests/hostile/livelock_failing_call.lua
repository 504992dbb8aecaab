-- attacks: zero-time livelock through a call that fails below the target (bounded queue downstream, no think, no link)
-- must: end: same guard against events that never advance the clock
local db = service "db" { workers = 1, queue = 0, work = exp(0.1) }
local web = service "web" { workers = 8, endpoint "e" { call(db) } }
client "users" { target = web, users = 4 }
run { duration = 10 }
