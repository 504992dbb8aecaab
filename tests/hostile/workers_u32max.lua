-- attacks: workers = 4294967295 at the top of the range (legitimate: must run)
-- expect: exit 0
local web = service "web" { workers = 4294967295, work = exp(0.01) }
client "c" { target = web, arrivals = poisson(10) }
run { duration = 5 }
