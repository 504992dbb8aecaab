-- validation: M/G/1 (Pollaczek-Khinchine). `law` picks the service-time distribution, all
-- with mean `mean`:
--   const      deterministic (M/D/1)                    E[S^2] = m^2
--   uniform    uniform on [0, 2m]                       E[S^2] = 4m^2/3
--   erlang     Erlang with `k` phases                   E[S^2] = m^2 (1 + 1/k)
--   hyperexp   balanced two-phase, squared CV `scv`     E[S^2] = m^2 (1 + scv)
--   lognormal  lognormal with standard deviation `sd`   E[S^2] = m^2 + sd^2
local law      = param("law", "const")
local rate     = param("rate", 0.8)
local mean     = param("mean", 1.0)
local k        = param("k", 4)
local scv      = param("scv", 4.0)
local sd       = param("sd", 1.0)
local duration = param("duration", 100000)
local warmup   = param("warmup", 1000)

local laws = {
  const     = function() return const(mean) end,
  uniform   = function() return uniform(0, 2 * mean) end,
  erlang    = function() return erlang(k, mean) end,
  hyperexp  = function() return hyperexp { mean = mean, scv = scv } end,
  lognormal = function() return lognormal { mean = mean, sd = sd } end,
}
local make = laws[law]
if not make then
  error("param 'law' must be one of const, uniform, erlang, hyperexp, lognormal, got " .. law)
end

local server = service "server" { workers = 1, work = make() }
client "arrivals" { target = server, arrivals = poisson(rate) }
run { duration = duration, warmup = warmup, sample = duration / 10 }
