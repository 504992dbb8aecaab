local s = service "s" { workers = 3, discipline = "priority", work = mixture { { 9, exp(0.001) }, { 1, pareto { alpha = 2.5, mean = 0.01 } } } }
client "a" { target = s, arrivals = schedule { { 0, 10 }, { 1, 0 }, { 2, 50 } }, priority = 2 }
client "b" { target = s, arrivals = bursty { rate = 40, on = exp(0.5), off = exp(0.5) } }
client "c" { target = s, arrivals = constant(5), timeout = 0.05 }
run { duration = 4 }
