-- attacks: erlang with k = 2^31 - 1: a sampler that sums k exponentials would take forever per draw
-- must: end within the limits (draw Erlang by its gamma law, or cap k)
local web = service "web" { work = erlang(2147483647, 0.01) }
client "c" { target = web, arrivals = poisson(10) }
run { duration = 5 }
