-- scenarios/retry_storm.lua — a slow leaf under three layers that each retry.
--
-- Users call an edge service, which calls a middle one, which calls a backend, which calls a
-- database (the leaf: 2 threads, 10 ms a query, half busy). Every call has a timeout and two
-- retries, so one user request can become up to 3^3 = 27 queries. At t = 60 the database slows
-- down four times for 30 s (a slowdown): queries time out, every layer retries, and the
-- database gets many times its load — a retry storm. `mode` picks the callers' policy:
--   plain   two retries at once after a failure (the storm);
--   budget  the same, with a retry budget of 10% at every caller (a token bucket per caller);
--   jitter  two retries after an exponential backoff with full jitter (spread out, not fewer).
-- With `expire = true` the database drops, unserved, the queries whose deadline has passed (the
-- users' 5 s, shortened by each call's timeout on the way down: 100 ms from the backend).
--
--   dessa run scenarios/retry_storm.lua --reps 3
--   dessa run scenarios/retry_storm.lua --reps 3 --set mode=budget -o out/retry_storm-budget
local mode = param("mode", "plain")
local rate = param("rate", 100)   -- user requests per second
local expire = param("expire", false)   -- the database drops queries whose deadline passed

local function policy(timeout)
  local p = { timeout = timeout, retries = 2 }
  if mode == "budget" then p.retry_budget = 0.1 end
  if mode == "jitter" then
    p.backoff = exponential_backoff(ms(20), { cap = 1 })
    p.jitter = "full"
  end
  return p
end

local db = service "db" { workers = 2, queue = 200, work = exp(ms(10)), shed_expired = expire }
slowdown { target = db, at = 60, duration = 30, factor = 4 }
local backend = service "backend" { workers = "inf", endpoint "query" { call(db, policy(ms(100))) } }
local middle = service "middle" { workers = "inf", endpoint "get" { call(backend, policy(ms(400))) } }
local edge = service "edge" { workers = "inf", endpoint "page" { call(middle, policy(ms(1500))) } }
client "users" { target = edge, arrivals = poisson(rate), timeout = 5 }
run { duration = 240, sample = 2 }
