-- validation: M/M/1 with two classes under non-preemptive priority (Cobham's formula).
-- Class "high" (client priority 1) and class "low" (priority 0) share one worker with
-- exponential service of mean `mean`; a waiting "high" request is always served before a
-- waiting "low" one, but a service in progress is never interrupted.
local rate_high = param("rate_high", 0.3)
local rate_low  = param("rate_low", 0.5)
local mean      = param("mean", 1.0)
local duration  = param("duration", 200000)
local warmup    = param("warmup", 5000)

local server = service "server" { workers = 1, discipline = "priority", work = exp(mean) }
client "high" { target = server, arrivals = poisson(rate_high), priority = 1 }
client "low" { target = server, arrivals = poisson(rate_low), priority = 0 }
run { duration = duration, warmup = warmup, sample = duration / 10 }
