-- attacks: a spec table whose __index and __pairs loop forever when the prelude reads it
-- expect: exit 1
local body = setmetatable({}, { __index = function() while true do end end, __pairs = function() while true do end end })
local web = service "web" (body)
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
