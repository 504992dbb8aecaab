-- expect: tests/errors/endpoint_work_field.lua:4: endpoint "page": unknown field 'work' (steps are written work(...) in the endpoint's list, as in endpoint "page" { work(exp(ms(5))), call(db) })
-- A step written as a field of the endpoint: the hint shows the list form.
service "web" {
  endpoint "page" { work = exp(0.02) },
}
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
