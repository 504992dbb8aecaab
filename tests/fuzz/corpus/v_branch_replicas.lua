local db = service "db" { workers = 2, queue = 3, replicas = 3, balancer = "power_of_two", discipline = "lifo",
  endpoint "r" { work(uniform(0.001, 0.01)) }, endpoint "w" { work(gamma { shape = 2, mean = 0.02 }) } }
local web = service "web" { workers = 4, endpoint "p" {
  branch { { 0.7, call(db.r) }, { 0.2, { call(db.w), sleep(0.001) } }, { 0.1 } }, call(db.r, { blocking = false }) } }
client "u" { target = web, users = 5, think = exp(0.1), limit = 200, start = 0.5 }
link { latency = normal(0.001, 0.0002) }
link { from = "web", to = "db", latency = 0.002 }
run { duration = 5, warmup = 1, sample = 0.5, seed = 3 }
