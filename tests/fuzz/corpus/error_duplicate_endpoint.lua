-- expect: tests/errors/duplicate_endpoint.lua:5: service "web": duplicate endpoint "page" (first at tests/errors/duplicate_endpoint.lua:4)
-- Endpoint names are unique within a service.
service "web" {
  endpoint "page" { work(0.01) },
  endpoint "page" { work(0.02) },
}
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
