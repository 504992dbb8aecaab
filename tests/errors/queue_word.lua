-- expect: tests/errors/queue_word.lua:3: service "web": field 'queue' must be a non-negative integer, or "unbounded" (math.huge), got "infinite"
-- A word for the queue other than "unbounded".
service "web" { work = exp(0.02), queue = "infinite" }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
