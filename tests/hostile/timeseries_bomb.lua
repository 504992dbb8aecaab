-- attacks: sample = 1e-6 over 1000 s: a billion time-series rows per entity (finding 8: they were kept in memory)
-- must: refuse or warn when the time series would be huge; stream rows
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1000, sample = 1e-6 }
