-- expect: tests/errors/arrivals_and_users.lua:4: client "users": give either arrivals = ... (open) or users = N (closed), not both
-- A client is either open or closed.
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10), users = 5 }
run { duration = 60 }
