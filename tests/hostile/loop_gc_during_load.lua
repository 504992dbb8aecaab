-- attacks: an endless __gc loop fired by garbage made later in the scenario, during load
-- must: no endless finalizers: strip __gc in the sandbox or run finalizers under the budget
setmetatable({}, { __gc = function() while true do end end })
for i = 1, 200000 do local t = { i, tostring(i) } end
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
