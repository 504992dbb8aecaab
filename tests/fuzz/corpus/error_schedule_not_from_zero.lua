-- expect: tests/errors/schedule_not_from_zero.lua:4: schedule: the first entry must start at time 0, got 60
-- A rate schedule starts at time 0.
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = schedule { { 60, 10 }, { 120, 20 } } }
run { duration = 600 }
