-- attacks: fan-out growth: every consumer of a 3-group topic publishes one message back to it, so the messages in the system triple at every hop
-- must: end within the limits (the buffers grow, the run stays bounded by its duration), the ledger holds
local t = topic "t" { }
for i = 1, 3 do
  local s = service("s" .. i) { workers = 1, endpoint "e" { work(exp(0.5)), publish("t") } }
  subscribe(t, s)
end
local front = service "front" { endpoint "in" { publish(t) } }
client "c" { target = front, limit = 1, arrivals = poisson(1) }
run { duration = 60 }
