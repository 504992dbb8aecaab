-- attacks: a spec table whose __pairs reports fields that are not in the table (and hides one that is)
local body = setmetatable({ work = exp(0.01) }, { __pairs = function(t)
  local keys, i = { "workers", "queue" }, 0
  return function() i = i + 1; if keys[i] then return keys[i], -1 end end, t, nil
end })
local web = service "web" (body)
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
