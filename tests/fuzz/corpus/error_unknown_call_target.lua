-- expect: tests/errors/unknown_call_target.lua:6: unknown service 'dbb' (did you mean 'db'?)
-- Calls by name are resolved when the whole scenario is known.
service "db" { work = exp(0.01) }
service "web" {
  endpoint "page" {
    work(0.001), call("dbb"),
  },
}
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
