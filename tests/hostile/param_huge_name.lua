-- attacks: a param name of 1 MB and a default string of 16 MB (recorded in run.json)
local p = param(string.rep("p", 1000000), string.rep("v", 16000000))
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
