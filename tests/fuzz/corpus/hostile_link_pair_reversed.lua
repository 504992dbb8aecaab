-- attacks: the same unordered pair linked twice, once in each direction (one link per pair is allowed)
-- expect: exit 1
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
link { from = "c", to = "web", latency = 0.001 }
link { from = "web", to = "c", latency = 0.5 }
run { duration = 1 }
