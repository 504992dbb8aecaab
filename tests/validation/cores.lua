-- validation: many threads on few cores. `workers` threads (far more than ever busy) share
-- `cores` cores; with FCFS cores and exponential work this is M/M/c with c = cores, and with
-- processor-sharing cores it has the same mean (M/M/c-PS and M/M/c FCFS share the mean number
-- in system for exponential work).
local workers  = param("workers", 100)
local cores    = param("cores", 2)
local cpu      = param("cpu", "ps")
local rate     = param("rate", 1.6)
local mean     = param("mean", 1.0)
local duration = param("duration", 100000)
local warmup   = param("warmup", 1000)

local server = service "server" { workers = workers, cores = cores, cpu = cpu,
                                  work = exp(mean) }
client "arrivals" { target = server, arrivals = poisson(rate) }
run { duration = duration, warmup = warmup, sample = duration / 10 }
