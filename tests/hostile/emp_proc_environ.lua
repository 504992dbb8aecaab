-- attacks: empirical { file = "/proc/self/environ" }: the process environment through the error message
-- must: refuse the path; never echo the environment
-- expect: exit 1
-- forbid: PATH=|HOME=
local web = service "web" { work = empirical { file = "/proc/self/environ", column = "x" } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
