-- expect: tests/errors/bad_param_override.lua:4: param 'threads': expected a number, got 'abc'
-- set: threads=abc
-- --set values are converted to the type of the param's default.
local threads = param("threads", 4)
service "web" { workers = threads, work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
