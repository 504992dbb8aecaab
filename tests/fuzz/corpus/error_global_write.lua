-- expect: tests/errors/global_write.lua:3: assignment to undeclared global 'rate' (use local)
-- Scenarios declare their variables with local.
rate = 10
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(rate) }
run { duration = 60 }
