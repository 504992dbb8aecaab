-- attacks: two services whose 600-character names differ only at the end (stream keys truncated at 512 bytes share draws)
-- expect: exit 1
-- expect-match: at most 200
local p = string.rep("p", 600)
local a = service(p .. "a") { work = exp(0.01) }
local b = service(p .. "b") { work = exp(0.01) }
client "ca" { target = a, arrivals = poisson(10) }
client "cb" { target = b, arrivals = poisson(10) }
run { duration = 10 }
