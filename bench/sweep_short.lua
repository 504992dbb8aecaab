-- bench/sweep_short.lua — a sweep of many short jobs: an M/M/1 (service mean 1 s) run for
-- 20 000 s at 40 arrival rates, a few ms of CPU per replication. bench/sweep_speedup.sh times it
-- with -j 1 and -j 2 (docs/performance.md, "Sweeps: many short jobs").
local rate = param("rate", 0.5)
local server = service "server" { workers = 1, work = exp(1) }
client "arrivals" { target = server, arrivals = poisson(rate) }
run { duration = 20000 }
sweep { rate = range(0.02, 0.8, 0.02) }
