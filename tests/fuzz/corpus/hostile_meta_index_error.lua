-- attacks: a spec table whose __index raises an error when the prelude reads a field: the message must point at the scenario
-- expect: exit 1
local body = setmetatable({}, { __index = function(t, k) error("no field " .. tostring(k)) end })
local web = service "web" (body)
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
