-- attacks: empirical { file = "/etc/passwd" }: an absolute path outside the scenario's directory; the error must not quote the file
-- must: refuse paths outside the scenario's directory; never quote file content
-- expect: exit 1
-- forbid: root:
local web = service "web" { work = empirical { file = "/etc/passwd", column = "x" } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
