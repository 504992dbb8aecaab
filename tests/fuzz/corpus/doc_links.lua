-- example: links
link { latency = exp(us(200)) }
local db = service "db" { work = exp(ms(5)) }
local web = service "web" { workers = 8, endpoint "page" { call(db) } }
local mobile = client "mobile" { target = web, arrivals = poisson(30) }
link { from = mobile, to = web, latency = lognormal { median = ms(60), p99 = ms(400) } }
link { from = "web", to = "db", latency = uniform(us(100), us(300)) }
run { duration = 300 }
