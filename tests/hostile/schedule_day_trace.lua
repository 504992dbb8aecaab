-- attacks: a day-long rate trace with one point per second (schedule_next rescans from the start: quadratic, finding 9)
-- must: end fast: O(1) amortised schedule lookup
local pts = {}
for i = 0, 86399 do pts[#pts + 1] = { i, 5 + 5 * math.sin(i / 3600) } end
local web = service "web" { workers = 4, work = exp(0.01) }
client "c" { target = web, arrivals = schedule(pts) }
run { duration = 86400, sample = 3600 }
