-- attacks: a parallel nested directly in a branch of a parallel (finding 1: the outer join is never met)
-- expect: exit 0
-- expect-csv: flows.csv ok > 0
local web = service "web" { workers = 4, endpoint "e" { parallel { parallel { work(0.01), work(0.01) }, work(0.01) } } }
client "c" { target = web, users = 1, think = 0.1 }
run { duration = 10 }
