-- bench/ps200.lua — 200 threads on 8 cores (processor sharing): a pool of 200 threads whose
-- requests do exponential CPU work (8 ms on average) shared by 8 cores, then a blocking I/O wait
-- (40 ms, holding the thread, using no core). Poisson arrivals at 90% of the cores' capacity
-- (900 requests/s): about 50 threads held at a time, 13 of them working on the 8 cores.
-- Run by bench/run_ps200.sh (events per second, CPU time).
local requests = param("requests", 1e6)
local rate = 900
local app = service "app" { workers = 200, cores = 8,
  endpoint "handle" { work(exp(ms(8))), io(exp(ms(40))) } }
client "users" { target = app, arrivals = poisson(rate) }
run { duration = requests / rate, warmup = 0, sample = requests / rate / 100 }
