-- scenarios/logging_offload.lua — log every API call: synchronously, or through a queue.
--
-- An API answers 400 requests per second with 16 threads (4 ms of work each) and logs every
-- call to `logstore`, whose writes usually take 1 ms but stall for 100 ms once in a hundred
-- (a disk flush): 2 ms on average, 4 writers, 20% busy. mode=sync: the API calls the store and
-- waits for the write; mode=async (the default): it publishes the log line to the queue `logs`
-- and answers, and the store consumes the queue with its 4 writers. The stalls are rare, but
-- synchronously every request behind a stalled write waits for it; through the queue only the
-- log lines wait, and the question becomes how far behind the log is.
local mode = param("mode", "async")
local rate = param("rate", 400)

link { latency = exp(ms(0.3)) }

local logstore = service "logstore" { workers = 4,
  endpoint "write" { io(mixture { { 0.98, exp(ms(1)) }, { 0.02, exp(ms(200)) } }) } }
local logs = queue "logs" { }
subscribe(logs, logstore, { consumers = 4 })
local api = service "api" { workers = 16,
  endpoint "req" { work(exp(ms(4))), mode == "sync" and call(logstore) or publish(logs) } }

client "users" { target = api, arrivals = poisson(rate) }

run { duration = 300, warmup = 30, sample = 5 }
