-- attacks: finalizers that declare services and clients while the prelude is checking the model (mutation during finish)
-- must: end within the limits; declarations from finalizers refused or harmless
local function arm(i)
  setmetatable({}, { __gc = function() pcall(function() service("late" .. i) { work = 0.001 } end) end })
end
for i = 1, 1000 do arm(i) end
local web = service "web" { work = exp(0.01) }
for i = 1, 200 do client("c" .. i) { target = web, arrivals = poisson(0.001) } end
run { duration = 1 }
