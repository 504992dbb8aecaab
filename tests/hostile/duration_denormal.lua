-- attacks: run { duration = 5e-324 }: the default sample (duration/60) underflows to 0 (finding 10)
-- must: a located message about duration/sample, not 'cannot create the engine'
-- expect-match: duration|sample
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 5e-324 }
