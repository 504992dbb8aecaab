-- attacks: empirical { file = "/dev/zero" }: an endless special file, read until memory runs out
-- must: refuse files that are not regular files, and cap the size read
-- expect: exit 1
local web = service "web" { work = empirical { file = "/dev/zero" } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
