-- validation: M/G/1 with processor sharing (discipline = "ps", one core). The mean response
-- time is S / (1 - rho) whatever the law of the work (insensitivity). `law` picks it, with mean
-- `mean`: const, exp, or hyperexp with squared CV `scv`.
local law      = param("law", "const")
local rate     = param("rate", 0.5)
local mean     = param("mean", 1.0)
local scv      = param("scv", 4.0)
local duration = param("duration", 100000)
local warmup   = param("warmup", 1000)

local laws = {
  const    = function() return const(mean) end,
  exp      = function() return exp(mean) end,
  hyperexp = function() return hyperexp { mean = mean, scv = scv } end,
}
local make = laws[law]
if not make then error("param 'law' must be one of const, exp, hyperexp, got " .. law) end

local server = service "server" { workers = 1, discipline = "ps", work = make() }
client "arrivals" { target = server, arrivals = poisson(rate) }
run { duration = duration, warmup = warmup, sample = duration / 10 }
