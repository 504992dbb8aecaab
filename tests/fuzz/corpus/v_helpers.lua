local function tier(name, n, next)
  local steps = { work(ms(n)) }
  if next then steps[#steps + 1] = call(next) end
  return service(name) { workers = n, endpoint "e" (steps) }
end
local c = tier("c", 1)
local b = tier("b", 2, c)
local a = tier("a", 3, b)
client "load" { target = a, arrivals = poisson(minutes(1) / 30) }
run { duration = seconds(10) }
