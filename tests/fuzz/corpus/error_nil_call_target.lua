-- expect: tests/errors/nil_call_target.lua:5: call: the target is nil (for a service defined further down, use its name: call("db"))
-- A local that is not assigned yet is nil; forward references use the service's name.
local db
service "web" {
  endpoint "page" { call(db) },
}
db = service "db" { work = exp(0.01) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
