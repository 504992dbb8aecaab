-- expect: tests/errors/rawset_global.lua:3: assignment to undeclared global 'rate' (use local)
-- rawset cannot create globals behind the strict environment's back.
rawset(_G, "rate", 10)
service "web" { work = exp(0.01) }
client "c" { target = "web", arrivals = poisson(1) }
run { duration = 10 }
