-- validation: loss systems. `c` workers and a waiting room of `queue` places, so the system
-- holds at most K = c + queue requests; an arrival that finds it full is dropped.
--   law = "exp":       M/M/c/K, blocking probability from the birth-death chain
--   law = "lognormal": with queue = 0, M/G/c/c (Erlang B is insensitive to the service law)
local c        = param("c", 2)
local queue    = param("queue", 3)
local rate     = param("rate", 2.0)
local mean     = param("mean", 1.0)
local law      = param("law", "exp")
local sd       = param("sd", 2.0)
local duration = param("duration", 50000)
local warmup   = param("warmup", 500)

local work
if law == "exp" then
  work = exp(mean)
elseif law == "lognormal" then
  work = lognormal { mean = mean, sd = sd }
else
  error("param 'law' must be exp or lognormal, got " .. law)
end

local station = service "station" { workers = c, queue = queue, work = work }
client "arrivals" { target = station, arrivals = poisson(rate) }
run { duration = duration, warmup = warmup, sample = duration / 10 }
