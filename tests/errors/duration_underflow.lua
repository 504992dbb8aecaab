-- expect: tests/errors/duration_underflow.lua:5: run: duration = 4.9406564584125e-324 is too small: the sample interval (duration / 60) underflows to 0
-- A duration so small that the default sample interval is 0.
service "web" { work = exp(0.01) }
client "c" { target = "web", arrivals = poisson(1) }
run { duration = 5e-324 }
