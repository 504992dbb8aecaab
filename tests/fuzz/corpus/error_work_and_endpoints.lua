-- expect: tests/errors/work_and_endpoints.lua:3: service "web": give either work = ... or endpoint entries, not both
-- work = ... is a shorthand for a single endpoint; it cannot be mixed with endpoints.
service "web" { work = exp(0.02),
  endpoint "page" { work(0.01) },
}
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
