-- expect: tests/errors/service_without_name.lua:3: service: expected a name string, as in service "name" { ... }
-- Services are written service "name" { ... }.
service { workers = 1, work = exp(0.02) }
run { duration = 60 }
