-- attacks: poisson(1e308): inter-arrival gaps below the clock's resolution, so time stops advancing
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1e308) }
run { duration = 10 }
