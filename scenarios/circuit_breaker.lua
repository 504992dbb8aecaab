-- scenarios/circuit_breaker.lua — a failing dependency, with and without a circuit breaker.
--
-- A product page (service "page") calls a recommendations service ("recs") with a 500 ms
-- timeout and one retry; when the call fails for good the page shows a default list (a 1 ms
-- fallback). At t = 120 recs hangs for 60 s: it takes requests and never answers (an outage
-- with on_down = "silence"). Without a breaker every page waits out two timeouts, holding a
-- thread for a second: latency and threads held jump, and every attempt is wasted. With a
-- breaker (5 consecutive failures open it for 10 s, then one probe) the page fails over to the
-- default list at once after the first few timeouts, and probes find recs back within 10 s of
-- its recovery.
--
--   dessa run scenarios/circuit_breaker.lua --reps 5
--   dessa run scenarios/circuit_breaker.lua --reps 5 --set breaker=false -o out/circuit_breaker-off
local breaker = param("breaker", true)   -- a circuit breaker on the page's call to recs
local rate = param("rate", 50)           -- page views per second

local recs = service "recs" { workers = 32, work = exp(ms(20)) }
outage { target = recs, at = 120, duration = 60, on_down = "silence" }

local opts = { timeout = ms(500), retries = 1, backoff = ms(50), fallback = work(ms(1)) }
if breaker then opts.breaker = circuit_breaker { failures = 5, open_for = 10 } end
service "page" { workers = 128, endpoint "view" { work(exp(ms(5))), call(recs, opts) } }

client "users" { target = "page", arrivals = poisson(rate) }
run { duration = 600, sample = 5 }
