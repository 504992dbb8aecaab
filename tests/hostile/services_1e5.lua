-- attacks: 100 000 services: each allocates its histograms even for check (finding 8)
-- must: end within the limits: lazy histograms, check without engine statistics
-- (about 8 s alone on the 2-core build machine, nearly all of it the prelude at ~80 us per service
-- (issue: speed at scale); the limit leaves room for a loaded machine and still stops a
-- quadratic check)
-- cpu: 30
for i = 1, 100000 do service("s" .. i) { work = 0.001 } end
client "c" { target = "s1", arrivals = poisson(1) }
run { duration = 1, sample = 1 }   -- one time-series row per service: the attack is on memory, not on output
