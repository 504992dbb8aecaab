-- attacks: rawset(_G, "rate", 10) creates a global despite the strict-globals rule
-- expect: exit 1
rawset(_G, "rate", 10)
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(rate) }
run { duration = 1 }
