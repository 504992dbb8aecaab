local p = param("k", 3)
local s = service "s" { workers = 2, endpoint "a" { work(erlang(p, 0.01)) }, endpoint "b" { work(weibull { shape = 0.7, mean = 0.01 }) },
  endpoint "c" { work(hyperexp { probs = { 0.5, 0.5 }, means = { 0.001, 0.02 } }) }, endpoint "d" { work(lognormal { median = 0.005, p99 = 0.05 }) },
  endpoint "e" { sleep(empirical { 0.001, 0.002 }), work(hyperexp { mean = 0.01, scv = 4 }) } }
client "x" { target = s.c, users = 2 }
client "y" { target = s, endpoint = "e", arrivals = poisson(20) }
run { duration = 3 }
