-- attacks: CRLF line endings throughout
-- expect: exit 0
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
