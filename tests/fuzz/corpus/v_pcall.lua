local ok, msg = pcall(service, 5)
local s = service "s" { work = ok and 1 or 0.001 }
client "c" { target = "s", arrivals = poisson(2) }
run { duration = 2, sample = 2 }
