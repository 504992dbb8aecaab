-- attacks: one step table shared 2^40 times through a DAG of parallels (a few lines expand to a trillion steps)
-- must: refuse the model by its expanded size, fast
-- expect: exit 1
local s = work(0.001)
for i = 1, 40 do s = parallel { s, s } end
local web = service "web" { endpoint "e" { s } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
