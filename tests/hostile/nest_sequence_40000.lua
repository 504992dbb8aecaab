-- attacks: plain step sequences nested 40 000 deep inside one parallel branch
-- expect: exit 1
local s = { work(0.001) }
for i = 1, 40000 do s = { s } end
local web = service "web" { endpoint "e" { parallel { s } } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
