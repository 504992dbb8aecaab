-- attacks: one distribution shared through 60 levels of two-part mixtures (2^60 leaves if expanded)
-- must: refuse the distribution by its expanded size, fast (or keep it shared)
-- expect: exit 1
local d = exp(0.01)
for i = 1, 60 do d = mixture { { 1, d }, { 1, d } } end
local web = service "web" { work = d }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
