-- scenarios/event_sourcing.lua — an event log, two projections, one rebuilt by replay.
--
-- A ledger service appends every account event (deposits, withdrawals: 50 a second) to the log
-- `account-events`, 6 partitions keyed by account (5000 accounts), and answers. Two projections
-- read the log: `balances` (a consumer per partition, 8 ms an event) keeps every account's
-- balance, and `search`, a new projection (say a search index with a new schema), is deployed
-- at t = 1800 and built from the **earliest** offset: it replays the 30 minutes of history
-- before it catches up with the live events. Its 3 consumers take 4 ms an event (the rebuild is
-- mostly writes in bulk) plus the acknowledgement's round trip (about 1 ms) before the next, so
-- they replay about 600 events a second and gain on the log by 550 a second. The log
-- keeps events for a day (`retention`), so nothing is lost to the rebuild; with
-- `--set retention=600` the rebuild starts from the last 10 minutes and the older events are
-- counted `expired` for it.
local rate = param("rate", 50)
local retention = param("retention", 86400)

link { latency = exp(ms(0.5)) }

local events = topic "account-events" { partitions = 6, retention = retention }
local balances = service "balances" { workers = 6, work = exp(ms(8)) }
local search = service "search" { workers = 3, work = exp(ms(4)) }
subscribe(events, balances, { group = "balances", consumers = 6 })
subscribe(events, search, { group = "search", consumers = 3, start = 1800, offset = "earliest" })

local ledger = service "ledger" { workers = 16,
  endpoint "append" { work(exp(ms(1))), publish(events, { key = keys(5000), ack = true }) } }

client "tellers" { target = ledger.append, arrivals = poisson(rate) }

run { duration = 3600, sample = 10 }
