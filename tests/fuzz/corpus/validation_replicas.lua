-- validation: `replicas` identical single-worker copies of an exponential server behind a
-- balancer, fed by one Poisson stream of rate `rate`.
--   balancer = "random":      each copy receives a Poisson(rate/replicas) thinning: M/M/1
--   balancer = "round_robin": each copy receives every replicas-th arrival, so its
--                             interarrival times are Erlang(replicas): E_k/M/1 (GI/M/1)
local replicas = param("replicas", 2)
local balancer = param("balancer", "random")
local rate     = param("rate", 1.6)
local mean     = param("mean", 1.0)
local duration = param("duration", 100000)
local warmup   = param("warmup", 2000)

local farm = service "farm" { workers = 1, replicas = replicas, balancer = balancer,
  work = exp(mean) }
client "arrivals" { target = farm, arrivals = poisson(rate) }
run { duration = duration, warmup = warmup, sample = duration / 10 }
