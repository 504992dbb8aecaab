-- validation: M/M/1 (and M/M/1 under LIFO).
-- Poisson arrivals at `rate`, one worker, exponential service with mean `mean`, unbounded
-- waiting room. No links, so a flow's latency is the time spent at the service.
-- tests/unit/test_validation.c sets every param; the defaults are rho = 0.9.
local rate       = param("rate", 0.9)
local mean       = param("mean", 1.0)
local discipline = param("discipline", "fifo")
local duration   = param("duration", 200000)
local warmup     = param("warmup", 2000)

local server = service "server" { workers = 1, discipline = discipline, work = exp(mean) }
client "arrivals" { target = server, arrivals = poisson(rate) }
run { duration = duration, warmup = warmup, sample = duration / 10 }
