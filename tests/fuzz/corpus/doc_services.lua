-- example: services
local cache = service "cache" { workers = 64, work = exp(us(300)) }
local db = service "db" {
  workers = 16, queue = 200, discipline = "priority", replicas = 2, balancer = "least_outstanding",
  endpoint "read" { work(lognormal { median = ms(4), p99 = ms(60) }) },
  endpoint "write" { work(gamma { shape = 2, mean = ms(12) }) },
}
client "reads" { target = db.read, arrivals = poisson(200), priority = 1 }
client "writes" { target = db, endpoint = "write", arrivals = poisson(20) }
client "lookups" { target = cache, arrivals = constant(500) }
run { duration = minutes(10), warmup = minutes(1) }
