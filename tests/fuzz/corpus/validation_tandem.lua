-- validation: an open tandem (Jackson) network of three M/M/1 stations in series.
--
-- The client calls `route`, whose endpoint calls a, then b, then c. `route` only holds a
-- worker while its calls are under way (it does no work of its own), and it has so many
-- workers that a request never waits there: it behaves as an infinite-server stage of zero
-- duration. Each station's own endpoint is a single `work` step, so its worker is free as
-- soon as the service ends, before the request moves on: a true tandem. By Burke's theorem
-- every station sees Poisson(rate) arrivals, and the response time is the sum of three
-- independent exponential sojourns with rates mu_i - rate.
--
-- (A tandem written as a `work` step followed by `call(b, { blocking = false })` is not the
-- same model: the request takes a worker of the first station again when b replies, before
-- it returns, so it may wait a second time there. See docs/validation.md.)
local rate     = param("rate", 0.8)
local mean_a   = param("mean_a", 0.5)
local mean_b   = param("mean_b", 1.0)
local mean_c   = param("mean_c", 0.8)
local duration = param("duration", 100000)
local warmup   = param("warmup", 1000)

local a = service "a" { workers = 1, work = exp(mean_a) }
local b = service "b" { workers = 1, work = exp(mean_b) }
local c = service "c" { workers = 1, work = exp(mean_c) }
local route = service "route" { workers = 1000000,
  endpoint "serial" { call(a), call(b), call(c) } }
client "arrivals" { target = route, arrivals = poisson(rate) }
run { duration = duration, warmup = warmup, sample = duration / 10 }
