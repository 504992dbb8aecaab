-- attacks: empirical on a binary file (/bin/sh): raw bytes and control characters echoed in the message
-- must: refuse the path, or quote at most a short escaped excerpt (valid UTF-8, no control bytes)
-- expect: exit 1
local web = service "web" { work = empirical { file = "/bin/sh", column = 1 } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
