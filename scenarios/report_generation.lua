-- scenarios/report_generation.lua — a 10-minute report: the user waits, or gets a notification.
--
-- Users ask for a report 14 times an hour (0.004/s). A report takes about 10 minutes of a
-- `reports` worker (lognormal, median 10 min, p99 30 min; 4 workers, 67% busy). mode=sync: the
-- web tier calls `reports` and the user's request waits for the report, up to the gateway's
-- 15-minute timeout. mode=async (the default): the web tier puts a job in the queue
-- `report_jobs` and answers at once; the reports workers consume the jobs and, when a report is
-- ready, publish to `notifications`, which `notify` sends (an e-mail, 50 ms). Response time is
-- what the user waits for; completion time is when the notification has gone out.
local mode = param("mode", "async")
local rate = param("rate", 0.004)

link { latency = exp(ms(1)) }

local notify = service "notify" { workers = 2, work = exp(ms(50)) }
local notifications = queue "notifications" { }
subscribe(notifications, notify, { consumers = 2 })

local reports = service "reports" { workers = 4,
  endpoint "build" { work(lognormal { median = 600, p99 = 1800 }),
                     mode == "async" and publish(notifications) } }
local report_jobs = queue "report_jobs" { }
subscribe(report_jobs, reports, { consumers = 4 })

local web = service "web" { workers = 64,
  endpoint "request" { work(exp(ms(20))),
                       mode == "sync" and call(reports) or publish(report_jobs) } }

client "users" { target = web, arrivals = poisson(rate), timeout = 900 }

run { duration = 30 * 86400, warmup = 86400, sample = 3600 }
