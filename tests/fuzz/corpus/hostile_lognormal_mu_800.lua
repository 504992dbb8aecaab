-- attacks: lognormal { mu = 800 }: accepted by the prelude, refused by the engine with a vague message (finding 10)
-- expect: exit 1
-- expect-match: mu
local web = service "web" { work = lognormal { mu = 800, sigma = 1 } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 5 }
