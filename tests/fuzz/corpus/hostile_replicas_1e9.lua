-- attacks: replicas = 1e9 (a float that is an integer): a billion service copies; out of memory must be named as such
-- expect-match: replica|memory
local web = service "web" { replicas = 1e9, work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
