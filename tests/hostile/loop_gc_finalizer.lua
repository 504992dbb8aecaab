-- attacks: an endless loop in a __gc finalizer that runs when the Lua state is closed (finding 4: finalizers run unhooked)
-- must: no endless finalizers: strip __gc in the sandbox or run finalizers under the budget
setmetatable({}, { __gc = function() while true do end end })
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
