-- example: steps
local use_cache = param("use_cache", true)
local db = service "db" {
  workers = 8,
  endpoint "read" { work(exp(ms(3))) },
  endpoint "write" { work(exp(ms(10))) },
}
local web = service "web" {
  workers = 32,
  endpoint "page" {
    work(ms(1)),
    use_cache and call("cache"),
    branch { { 0.8, call(db.read) }, { 0.15, { call(db.read), call(db.write) } }, { 0.05 } },
    parallel { call(db.read), call(db.read), call(db.read), quorum = 2 },
    call("audit", { blocking = false }),
    sleep(ms(2)),
  },
}
service "cache" { workers = 16, work = exp(us(200)) }
service "audit" { work = const(ms(1)) }
client "browsers" { target = web.page, arrivals = poisson(50), timeout = 2 }
run { duration = 600 }
