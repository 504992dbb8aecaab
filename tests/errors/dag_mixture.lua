-- expect: tests/errors/dag_mixture.lua:4: mixture: too large once expanded (1048575 distributions, at most 1000000; a distribution used as a part several times counts once per use)
-- A distribution shared by both parts doubles at each level: 2^60 parts once expanded.
local d = exp(0.01)
for i = 1, 60 do d = mixture { { 1, d }, { 1, d } } end
service "web" { work = d }
