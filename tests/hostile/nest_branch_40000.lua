-- attacks: branch arms nested 40 000 deep
-- must: the same located nesting-limit message
-- expect: exit 1
local s = work(0.001)
for i = 1, 40000 do s = branch { { 1, s } } end
local web = service "web" { endpoint "e" { s } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
