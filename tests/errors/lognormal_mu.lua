-- expect: tests/errors/lognormal_mu.lua:3: lognormal: mu must be between -700 and 700, got 800
-- The engine's range of mu, said by the prelude.
service "web" { work = lognormal { mu = 800, sigma = 1 } }
client "c" { target = "web", arrivals = poisson(1) }
run { duration = 10 }
