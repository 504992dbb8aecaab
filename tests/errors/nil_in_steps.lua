-- expect: tests/errors/nil_in_steps.lua:5: endpoint "e": entry #2 is nil, a hole in the list (an undefined variable?); write false to leave an entry out
-- missing is nil: the steps after it would be silently lost.
local missing
service "db" { work = exp(0.01) }
service "web" { endpoint "e" { work(0.001), missing, call("db"), work(0.001) } }
client "c" { target = "web", arrivals = poisson(1) }
run { duration = 10 }
