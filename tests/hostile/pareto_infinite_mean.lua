-- attacks: pareto { alpha = 0.01, min = 1 }: samples near infinity, nothing completes (should at least warn)
-- must: end; a warning for an infinite mean would help
local web = service "web" { workers = 4, work = pareto { alpha = 0.01, min = 1 } }
client "c" { target = web, arrivals = poisson(10) }
run { duration = 10 }
