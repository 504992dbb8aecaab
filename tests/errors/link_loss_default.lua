-- expect: tests/errors/link_loss_default.lua:5: link: loss is given for one pair, as in link { from = a, to = b, loss = 0.01 }
-- Loss is given per pair of names, not on the default link.
local db = service "db" { workers = 4, work = exp(0.005) }
client "users" { target = db, arrivals = poisson(10), timeout = 1 }
link { latency = ms(1), loss = 0.01 }
run { duration = 60 }
