-- bench/chain.lua — the synchronous-chain benchmark: Poisson arrivals at 0.7/s to a front service
-- with a pool of 4 threads; each request does exponential work there (mean 0.5 s), then calls a
-- back service of one worker (exponential, mean 1 s) and holds its front thread across the call.
-- All statistics on, as in bench/mm1.lua. Compare with bench/simpy_chain.py (the same model in
-- SimPy): bench/simpy.sh; the mean response time in theory: bench/chain_theory.py.
local customers = param("customers", 10e6)
local rate = 0.7
local back = service "back" { workers = 1, work = exp(1.0) }
local front = service "front" { workers = 4, endpoint "call" { work(exp(0.5)), call(back) } }
client "arrivals" { target = front, arrivals = poisson(rate) }
run { duration = customers / rate, warmup = 0, sample = customers / rate / 100 }
