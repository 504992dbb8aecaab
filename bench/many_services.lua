-- bench/many_services.lua — many small services, each with its own open client: what the build,
-- the run and the memory cost as models grow wide (the issue's "10^4 services" row).
-- n services of one worker each (exponential work, mean 0.1 s: utilization 0.1), each fed by its
-- own Poisson client at 1 request/s, for `duration` seconds; about 4 events per request.
--   dessa run bench/many_services.lua -q -o /tmp/ms --set n=10000
local n = param("n", 1000)
local duration = param("duration", 20)
for i = 1, n do
  local s = service("s" .. i) { workers = 1, work = exp(0.1) }
  client("c" .. i) { target = s, arrivals = poisson(1) }
end
run { duration = duration }
