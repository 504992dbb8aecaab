-- expect: tests/errors/nested_mixture.lua:4: mixture: nested too deeply (more than 100 levels)
-- Mixtures nest at most 100 levels deep.
local d = exp(0.01)
for i = 1, 200 do d = mixture { { 1, d } } end
service "web" { work = d }
run { duration = 1 }
