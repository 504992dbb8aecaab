-- attacks: a nil in the middle of an endpoint's steps: every step after the hole would be dropped without a word
-- must: refuse a nil among the steps (a hole drops the steps after it)
-- expect: exit 1
local missing
local db = service "db" { work = exp(0.01) }
local web = service "web" { endpoint "e" { work(0.001), missing, call(db), work(0.001) } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
