-- expect: tests/errors/unknown_endpoint.lua:8: service 'db' has no endpoint 'qury' (did you mean 'query'?)
-- An endpoint named in a call must exist on the target service.
service "db" {
  endpoint "query" { work(exp(0.01)) },
  endpoint "write" { work(exp(0.03)) },
}
service "web" {
  endpoint "page" { call("db", { endpoint = "qury" }) },
}
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
