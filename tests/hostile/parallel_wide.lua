-- attacks: one parallel with 50 000 branches, forked by every request
-- must: end within the limits (refuse absurd widths or fork fast)
local b = {}
for i = 1, 50000 do b[i] = work(0.0001) end
local web = service "web" { workers = 4, endpoint "e" { parallel(b) } }
client "c" { target = web, users = 1, think = 1 }
run { duration = 3 }
