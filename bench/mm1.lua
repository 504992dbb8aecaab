-- bench/mm1.lua — the M/M/1 benchmark: rho = 0.9, about 10 million customers, all statistics on.
-- Compare with bench/bare_mm1.c (the same model in a bare hand-written loop): bench/run.sh.
local customers = param("customers", 10e6)
local rate = 0.9
local server = service "server" { workers = 1, work = exp(1.0) }
client "arrivals" { target = server, arrivals = poisson(rate) }
run { duration = customers / rate, warmup = 0, sample = customers / rate / 100 }
