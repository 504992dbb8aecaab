-- expect: tests/errors/link_loss_range.lua:6: link: field 'loss' must be a number between 0 and 1, got 1.5
-- A loss is a probability: 1.5 is outside [0, 1].
local db = service "db" { workers = 4, work = exp(0.005) }
local web = service "web" { workers = 4, endpoint "get" { call(db, { timeout = 1 }) } }
client "users" { target = web, arrivals = poisson(10) }
link { from = web, to = db, loss = 1.5 }
run { duration = 60 }
