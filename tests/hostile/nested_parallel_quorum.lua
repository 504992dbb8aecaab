-- attacks: a quorum that needs the nested parallel's branch to finish (finding 1 with join = quorum)
-- must: meet the quorum with the nested branch: in_flight stays small
-- expect: exit 0
-- expect-csv: flows.csv in_flight < 3
local leaf = service "leaf" { workers = 100, work = exp(0.01) }
local front = service "front" { workers = 100, endpoint "req" {
  parallel { parallel { call(leaf), call(leaf) }, call(leaf), sleep(100), quorum = 2 } } }
client "load" { target = front, arrivals = poisson(10) }
run { duration = 20 }
