-- attacks: empirical { file = "/etc/passwd", column = 1 }: the "not a number" error quotes a cell of the file
-- expect: exit 1
-- forbid: root|daemon|nologin
local web = service "web" { work = empirical { file = "/etc/passwd", column = 1 } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
