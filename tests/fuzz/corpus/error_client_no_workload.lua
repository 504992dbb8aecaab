-- expect: tests/errors/client_no_workload.lua:4: client "users": needs arrivals = ... (open workload) or users = N (closed workload)
-- A client needs arrivals (open) or users (closed).
service "web" { work = exp(0.02) }
client "users" { target = "web" }
run { duration = 60 }
