-- expect: tests/errors/nested_parallel.lua:4: parallel: steps nested too deeply (more than 100 levels)
-- Nesting is limited to 100 levels (it used to crash the C compiler of steps).
local s = work(0.001)
for i = 1, 40000 do s = parallel { s } end
local web = service "web" { endpoint "e" { s } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
