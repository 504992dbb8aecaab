-- expect: tests/errors/dist_plain_table.lua:3: service "web": field 'work' must be a distribution or a non-negative number (a table of parameters needs its constructor: exp { mean = 0.02 }), got a table
-- A distribution given as a plain table: the hint names its constructor.
service "web" { work = { mean = 0.02 } }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
