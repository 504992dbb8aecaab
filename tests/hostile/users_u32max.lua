-- attacks: users = 4294967295: one think event per user at start (memory bomb by a count)
-- must: end within the limits: refuse or fail cleanly, fast
local web = service "web" { work = exp(0.01) }
client "c" { target = web, users = 4294967295, think = exp(1000) }
run { duration = 1 }
