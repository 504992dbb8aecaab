-- attacks: empirical with a relative path that climbs out of the scenario's directory
-- must: refuse paths that climb out of the scenario's directory
-- expect: exit 1
-- forbid: root:
local web = service "web" { work = empirical { file = "../../../../../../../../etc/passwd", column = "x" } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
