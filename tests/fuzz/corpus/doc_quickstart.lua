-- example: quickstart
local threads = param("threads", 4)
link { latency = exp(ms(1)) }
local db  = service "db"  { workers = 1, work = exp(ms(50)) }
local web = service "web" { workers = threads, queue = 100,
  endpoint "page" { work(exp(ms(20))), call(db), work(ms(1)) } }
client "users" { target = web, users = 10, think = exp(2) }     -- closed workload
run { duration = 3600, warmup = 60, sample = 10 }
