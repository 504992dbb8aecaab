-- attacks: rawset(_G, "run", ...) shadows a built-in with a function that does nothing
-- expect: exit 1
rawset(_G, "run", function() end)
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
