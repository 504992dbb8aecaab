-- attacks: a client that starts after the run ends (start = 1000, duration = 10): sends nothing; a warning would help
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1), start = 1000 }
run { duration = 10 }
