-- scenarios/coupling.lua — failures multiply along a synchronous chain.
--
-- A request goes through k services, each calling the next synchronously; each service
-- crashes on its own (up for an exponential time of mean 90 s, down for one of mean 10 s:
-- up 90% of the time). A request gets through only if every service is up as it passes, so
-- the user sees an availability of about 0.9^k: 0.73 for k = 3, while every service on its
-- own reports 90% uptime. Client-side retries with a backoff win some of it back, at a price
-- in latency: a retry only helps once the failed service is back, 10 s on average.
--
--   dessa run scenarios/coupling.lua --reps 5
--   dessa run scenarios/coupling.lua --reps 5 --set k=1 -o out/coupling-k1
--   dessa run scenarios/coupling.lua --reps 5 --set retries=4 -o out/coupling-retries
local k = param("k", 3)              -- services in the chain
local mttf = param("mttf", 90)       -- mean time to failure of each, seconds
local mttr = param("mttr", 10)       -- mean time to repair
local retries = param("retries", 0)  -- the client's retries (exponential backoff from 1 s)

local next_hop = nil
for i = k, 1, -1 do
  local steps = { work(exp(ms(2))) }
  if next_hop then steps[2] = call(next_hop) end
  next_hop = service("s" .. i) { workers = 64, endpoint "handle" (steps) }
  crash { target = next_hop, mttf = exp(mttf), mttr = exp(mttr) }
end

client "user" { target = next_hop, arrivals = poisson(20), retries = retries,
                backoff = exponential_backoff(1, { cap = 16 }), jitter = "full" }
run { duration = 3600, sample = 10 }
