-- attacks: pcall around empirical on /etc/passwd, the message stored as a param default so it lands in run.json (finding 3)
-- forbid: root:
local _, msg = pcall(empirical, { file = "/etc/passwd", column = "?" })
param("note", tostring(msg))
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
