-- attacks: --set workers=1e999 (tonumber gives inf) into a count field
-- set: workers=1e999
-- expect: exit 1
local w = param("workers", 4)
local web = service "web" { workers = w, work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
