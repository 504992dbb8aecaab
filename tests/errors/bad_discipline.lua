-- expect: tests/errors/bad_discipline.lua:3: service "web": field 'discipline' must be one of "fifo", "lifo", "priority", "ps", got "random"
-- Queue disciplines are fifo, lifo or priority.
service "web" { discipline = "random", work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
