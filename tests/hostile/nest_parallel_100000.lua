-- attacks: parallel nested 100 000 deep: a Lua stack overflow reported at a prelude line, not the scenario's
-- must: the same located nesting-limit message
-- expect: exit 1
local s = work(0.001)
for i = 1, 100000 do s = parallel { s } end
local web = service "web" { endpoint "e" { s } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
