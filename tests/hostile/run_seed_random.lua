-- attacks: run { seed = 7 } must seed math.random too, so the same as --seed 7
-- must: math.random follows run { seed } too (load twice, or document the limit)
-- expect: exit 0
-- expect-same: --seed 7
local w = math.random(1, 1000000)
local web = service "web" { workers = 1, work = exp(0.001 * (1 + w % 50)) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 50, seed = 7 }
