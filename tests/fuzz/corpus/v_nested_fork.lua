local leaf = service "leaf" { workers = 8, work = exp(0.01) }
local front = service "front" { workers = 8, endpoint "req" {
  parallel { { work(0.001), parallel { call(leaf), call(leaf), join = "any" } }, call(leaf), quorum = 1 } } }
client "load" { target = front, arrivals = poisson(20), timeout = 0.5 }
run { duration = 5 }
