-- attacks: math.random drawn at load time must follow the effective seed (finding 7: without --seed it used 0, with --seed 1 the engine's 1)
-- must: seed math.random with the effective seed: no --seed equals --seed 1
-- expect: exit 0
-- expect-same: --seed 1
local w = math.random(1, 1000000)
local web = service "web" { workers = 1, work = exp(0.001 * (1 + w % 50)) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 50 }
