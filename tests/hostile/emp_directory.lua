-- attacks: empirical { file = "/" }: a directory instead of a file
-- expect: exit 1
local web = service "web" { work = empirical { file = "/" } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
