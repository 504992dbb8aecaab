-- expect: tests/errors/call_cycle.lua:4: call cycle: web.page -> db.default -> web.page
-- Synchronous call cycles would deadlock the worker pools.
service "web" {
  endpoint "page" { work(0.001), call("db") },
}
service "db" {
  endpoint "default" { work(0.01), call("web", { endpoint = "page" }) },
}
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
