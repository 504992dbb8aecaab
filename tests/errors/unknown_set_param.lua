-- expect: dessa: --set thread: the scenario has no param 'thread' (did you mean 'threads'?)
-- set: thread=8
-- --set must name a param the scenario declares.
local threads = param("threads", 4)
service "web" { workers = threads, work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
