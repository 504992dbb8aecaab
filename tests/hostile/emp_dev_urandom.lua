-- attacks: empirical { file = "/dev/urandom" }: endless binary input, read until memory runs out, raw bytes in the message
-- must: refuse files that are not regular files, and cap the size read
-- expect: exit 1
local web = service "web" { work = empirical { file = "/dev/urandom" } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
