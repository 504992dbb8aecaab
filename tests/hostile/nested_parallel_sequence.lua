-- attacks: a parallel inside a sequence branch of a parallel, with calls (finding 1 through a { work, parallel } branch)
-- must: complete the requests: in_flight stays small
-- expect: exit 0
-- expect-csv: flows.csv in_flight < 3
local leaf = service "leaf" { workers = 100, work = exp(0.01) }
local front = service "front" { workers = 100, endpoint "req" {
  parallel { { work(0.001), parallel { call(leaf), call(leaf) } }, call(leaf) } } }
client "load" { target = front, arrivals = poisson(10) }
run { duration = 20 }
