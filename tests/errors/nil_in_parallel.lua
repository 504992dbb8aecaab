-- expect: tests/errors/nil_in_parallel.lua:5: parallel: entry #2 is nil, a hole in the list (an undefined variable?); write false to leave an entry out
-- A hole among the branches of a parallel.
local missing
service "db" { work = exp(0.01) }
service "web" { endpoint "e" { parallel { call("db"), missing, call("db") } } }
