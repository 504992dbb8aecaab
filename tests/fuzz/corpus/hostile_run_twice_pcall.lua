-- attacks: a second run block whose error is swallowed by pcall, with different settings
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
pcall(run, { duration = 1e9 })
