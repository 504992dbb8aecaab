-- expect: tests/errors/too_many_rows.lua:5: run: duration / sample = 3.6e+09 time-series rows per client and service (at most 1e8); use a larger sample
-- Every time-series row is kept in memory: duration / sample is capped.
service "web" { work = exp(0.01) }
client "c" { target = "web", arrivals = poisson(1) }
run { duration = 3600, sample = us(1) }
