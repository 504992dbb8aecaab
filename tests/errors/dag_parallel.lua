-- expect: tests/errors/dag_parallel.lua:4: parallel: too large once expanded (1048575 steps and distributions, at most 1000000 per endpoint; a step or list used several times counts once per use)
-- A step shared by both branches doubles at each level: 2^40 steps once expanded.
local s = work(0.001)
for i = 1, 40 do s = parallel { s, s } end
service "web" { endpoint "e" { s } }
