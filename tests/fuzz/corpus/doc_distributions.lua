-- example: distributions
local d = {
  const(ms(1)), exp(ms(2)), uniform(ms(1), ms(3)), normal(ms(5), ms(1)),
  lognormal { mean = ms(4), sd = ms(2) }, lognormal { mu = -5, sigma = 0.5 },
  gamma { shape = 3, mean = ms(6) }, erlang(4, ms(8)), weibull { shape = 0.8, mean = ms(3) },
  pareto { alpha = 2.5, mean = ms(4) }, pareto { alpha = 1.2, min = ms(1) },
  hyperexp { mean = ms(5), scv = 9 }, hyperexp { probs = { 0.9, 0.1 }, means = { ms(1), ms(50) } },
  empirical { 0.001, 0.002, 0.004 }, mixture { { 9, exp(ms(1)) }, { 1, exp(ms(100)) } },
}
local eps = {}
for i, dist in ipairs(d) do eps[i] = endpoint("e" .. i) { work(dist) } end
local zoo = service "zoo" { workers = 4, unpack(eps) }
client "probe" { target = zoo, users = 2, think = 0.1 }
run { duration = 120 }
