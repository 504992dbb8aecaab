-- scenarios/cdc.lua — change data capture: a database's changes streamed to a cache and a
-- search index through a log. How stale does each copy get?
--
-- Writers update records through `api` (50 writes a second over 10 000 records). `db` commits
-- each write and emits the change to the topic `changes` (8 partitions, keyed by the record, so
-- the changes of one record stay in order). Two groups read the log: `cache` (4 consumers, a
-- 2 ms update each) and `search` (4 consumers, 60 ms to reindex a document: 75% busy). At
-- t = 900 search slows down to twice its time for 2 minutes (a heavy reindex elsewhere on its
-- machines): 150% of its capacity, so its backlog grows, and drains after.
--
-- Staleness, the time from a commit to the consumer's update, is the message's sojourn in
-- brokers.csv (`sojourn_p50`, `sojourn_mean`, `sojourn_p99`, `sojourn_max`, per group), plus the
-- ~1 ms link from db to the log. The writers' response time (flows.csv) ends at the commit;
-- their completion time waits for both copies, so it is the staleness of the slower one.
-- timeseries.csv shows each group's lag (messages and seconds behind) over time.
--   dessa run scenarios/cdc.lua --set slow=1        (no slowdown: the steady state)
local rate = param("rate", 50)
local slow = param("slow", 2)

link { latency = exp(ms(1)) }

local changes = topic "changes" { partitions = 8, retention = 3600 }
local cache  = service "cache"  { workers = 4, endpoint "apply" { work(exp(ms(2))) } }
local search = service "search" { workers = 4, endpoint "index" { work(exp(ms(60))) } }
subscribe(changes, cache,  { group = "cache",  consumers = 4 })
subscribe(changes, search, { group = "search", consumers = 4 })

local db  = service "db"  { workers = 16,
  endpoint "write" { io(exp(ms(5))), publish(changes, { key = keys(10000) }) } }
local api = service "api" { workers = 32, endpoint "update" { work(exp(ms(2))), call(db.write) } }

client "writers" { target = api.update, arrivals = poisson(rate) }

if slow ~= 1 then
  slowdown { target = search, at = 900, duration = 120, factor = slow }
end

run { duration = 1800, warmup = 60, sample = 5 }
