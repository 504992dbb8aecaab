-- attacks: mixture nested 70 000 deep (a Lua stack overflow at a prelude line)
-- must: a located nesting-limit message, not prelude:LINE
-- expect: exit 1
local d = exp(0.01)
for i = 1, 70000 do d = mixture { { 1, d } } end
local web = service "web" { work = d }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
