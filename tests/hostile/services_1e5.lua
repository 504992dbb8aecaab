-- attacks: 100 000 services: each allocates its histograms even for check (finding 8)
-- must: end within the limits: lazy histograms, check without engine statistics
-- cpu: 15
for i = 1, 100000 do service("s" .. i) { work = 0.001 } end
client "c" { target = "s1", arrivals = poisson(1) }
run { duration = 1, sample = 1 }   -- one time-series row per service: the attack is on memory, not on output
