-- validation: M/M/c with an unbounded waiting room (Erlang C).
local c        = param("c", 3)
local rate     = param("rate", 2.4)
local mean     = param("mean", 1.0)
local duration = param("duration", 100000)
local warmup   = param("warmup", 1000)

local pool = service "pool" { workers = c, work = exp(mean) }
client "arrivals" { target = pool, arrivals = poisson(rate) }
run { duration = duration, warmup = warmup, sample = duration / 10 }
