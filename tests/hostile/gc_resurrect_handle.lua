-- attacks: a finalizer that stores a service handle in a table kept alive elsewhere (resurrection at close)
-- expect: exit 0
local keep = {}
local web = service "web" { work = exp(0.01) }
setmetatable({}, { __gc = function() keep[1] = web; keep[2] = exp(1) end })
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
