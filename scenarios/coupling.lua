-- scenarios/coupling.lua — failures multiply along a synchronous chain.
--
-- A request goes through k services, each calling the next synchronously; each service
-- crashes on its own (up for an exponential time of mean 90 s, down for one of mean 10 s:
-- up 90% of the time). A request gets through only if every service is up as it passes, so
-- the user sees an availability of about 0.9^k: 0.73 for k = 3, while every service on its
-- own reports 90% uptime. Client-side retries with a backoff win some of it back, at a price
-- in latency: a retry only helps once the failed service is back, 10 s on average.
--
-- Where the services run decides whether they fail together: with placement = "spread" each
-- runs on a machine of its own (a host) that crashes as often as the services did — the same
-- 0.9^k; with "one_host" the whole chain shares one machine that crashes that often: the
-- services go down and come back together, and the chain is about as available as one of
-- them, 0.9, whatever k. The default, "apart", has no hosts: each service's own crash.
--
--   dessa run scenarios/coupling.lua --reps 5
--   dessa run scenarios/coupling.lua --reps 5 --set k=1 -o out/coupling-k1
--   dessa run scenarios/coupling.lua --reps 5 --set retries=4 -o out/coupling-retries
--   dessa run scenarios/coupling.lua --reps 5 --set placement=one_host -o out/coupling-one
local k = param("k", 3)              -- services in the chain
local mttf = param("mttf", 90)       -- mean time to failure of each, seconds
local mttr = param("mttr", 10)       -- mean time to repair
local retries = param("retries", 0)  -- the client's retries (exponential backoff from 1 s)
local placement = param("placement", "apart")   -- "apart", "spread" or "one_host"
if placement ~= "apart" and placement ~= "spread" and placement ~= "one_host" then
  error(string.format('placement must be "apart", "spread" or "one_host", got "%s"',
    tostring(placement)), 0)
end

-- The machines: none (apart), one per service (spread), or one for the chain (one_host); each
-- crashes with the laws the services have when apart.
local machine = {}
for i = 1, k do
  if placement == "spread" or (placement == "one_host" and i == 1) then
    machine[i] = host("vm" .. i) { cores = 4 }
    crash { target = machine[i], mttf = exp(mttf), mttr = exp(mttr) }
  elseif placement == "one_host" then
    machine[i] = machine[1]
  end
end

local next_hop = nil
for i = k, 1, -1 do
  local steps = { work(exp(ms(2))) }
  if next_hop then steps[2] = call(next_hop) end
  next_hop = service("s" .. i) { workers = 64, host = machine[i], endpoint "handle" (steps) }
  if placement == "apart" then
    crash { target = next_hop, mttf = exp(mttf), mttr = exp(mttr) }
  end
end

client "user" { target = next_hop, arrivals = poisson(20), retries = retries,
                backoff = exponential_backoff(1, { cap = 16 }), jitter = "full" }
run { duration = 3600, sample = 10 }
