-- attacks: empirical on a binary file (/bin/sh): raw bytes and control characters echoed in the message
-- expect: exit 1
local web = service "web" { work = empirical { file = "/bin/sh", column = 1 } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
