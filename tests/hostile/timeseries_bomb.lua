-- attacks: sample = 1e-4 over 1000 s: ten million time-series rows per entity kept in memory (finding 8)
-- must: refuse or warn when the time series would be huge; stream rows
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1000, sample = 1e-4 }
