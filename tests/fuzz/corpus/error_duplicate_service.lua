-- expect: tests/errors/duplicate_service.lua:4: service "db": the name "db" is already used by the service defined at tests/errors/duplicate_service.lua:3
-- Service names are unique.
service "db" { work = exp(0.01) }
service "db" { work = exp(0.02) }
client "users" { target = "db", arrivals = poisson(10) }
run { duration = 60 }
