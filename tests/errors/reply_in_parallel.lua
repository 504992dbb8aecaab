-- expect: tests/errors/reply_in_parallel.lua:4: parallel: reply() at tests/errors/reply_in_parallel.lua:4 is inside a parallel; only the endpoint's own steps can answer its caller
-- reply() answers the caller: a parallel branch has no caller of its own.
service "back" { work = exp(0.1) }
service "front" { endpoint "req" { parallel { call("back"), { work(0.01), reply() } } } }
client "load" { target = "front", arrivals = poisson(1) }
run { duration = 60 }
