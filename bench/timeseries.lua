-- The time-series benchmark (bench/timeseries.sh): a one-hour M/M/1 at rho = 0.9 (100 requests
-- a second), sampled every `sample` seconds. At sample = 0.001 the time series has 3.6 million
-- samples (a flow row and a service row each); at the default, 100.
local sample = param("sample", 36)
local server = service "server" { workers = 1, work = exp(0.009) }
client "users" { target = server, arrivals = poisson(100) }
run { duration = 3600, sample = sample }
