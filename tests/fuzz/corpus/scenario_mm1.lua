-- scenarios/mm1.lua — the M/M/1 queue: Poisson arrivals, one worker, exponential service.
-- Theory: utilisation rho = rate * service, mean response time = service / (1 - rho).
local rate    = param("rate", 0.9)       -- arrivals per second
local mean_service = param("service", 1.0)   -- mean service time, seconds

local server = service "server" { workers = 1, work = exp(mean_service) }
client "arrivals" { target = server, arrivals = poisson(rate) }

run { duration = 100000, warmup = 1000, sample = 1000 }
