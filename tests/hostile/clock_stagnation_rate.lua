-- attacks: poisson(1e308): inter-arrival gaps below the clock's resolution, so time stops advancing
-- must: end: refuse a rate whose gaps fall below the clock's resolution, or detect the stalled clock
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1e308) }
run { duration = 10 }
