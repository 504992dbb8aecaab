-- attacks: an xpcall handler that errors itself, recursively (error in error handling)
-- expect: exit 0
local function h(m) error(h) end
local ok = xpcall(error, h, "x")
assert(not ok)
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
