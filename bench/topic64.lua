-- bench/topic64.lua: a log at speed. A topic of 64 partitions, keyed by 100 000 keys, receives
-- `messages` publishes at 100 000 a second; three groups read it: two of 64 consumers (one per
-- partition, 0.2 ms a message) and a third that is either the same (buffered = 0) or a consumer
-- stuck for ever on its first message, so that the log keeps `buffered` messages for it
-- (retention_size = buffered / 64 per partition: every publish is then an acceptance plus the
-- retirement of the oldest unread message of that partition). Events per CPU second stay the
-- same with 1000 and 1000000 buffered: no operation walks a partition.
local messages = param("messages", 1000000)
local buffered = param("buffered", 0)
local rate = 100000
local per_part = buffered > 0 and math.max(1, buffered // 64) or nil
local log = topic "events" { partitions = 64, retention_size = per_part }
for _, g in ipairs({ "a", "b" }) do
  subscribe(log, service(g) { workers = 64, work = exp(us(200)) }, { group = g, consumers = 64 })
end
if buffered > 0 then
  subscribe(log, service "stuck" { workers = 1, work = 1e9 }, { group = "c" })
else
  subscribe(log, service "c" { workers = 64, work = exp(us(200)) }, { group = "c", consumers = 64 })
end
local front = service "front" { workers = "inf",
  endpoint "p" { publish(log, { key = keys(100000) }) } }
client "producers" { target = front, arrivals = poisson(rate) }
run { duration = messages / rate, sample = messages / rate / 10 }
