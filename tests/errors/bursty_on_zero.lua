-- expect: tests/errors/bursty_on_zero.lua:4: bursty: on must have a positive mean (on periods of length 0 send nothing)
-- An 'on' period of 0 s would send nothing (or never end).
service "web" { work = exp(0.01) }
client "c" { target = "web", arrivals = bursty { rate = 10, on = 0, off = 0 } }
run { duration = 10 }
