-- attacks: parallel nested 40 000 deep (finding 5: SIGSEGV, C stack overflow in the step compiler)
-- must: a nesting limit (say 100 levels) with a located message; never SIGSEGV
-- expect: exit 1
local s = work(0.001)
for i = 1, 40000 do s = parallel { s } end
local web = service "web" { endpoint "e" { s } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
