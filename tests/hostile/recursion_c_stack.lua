-- attacks: recursion through pcall and string.gsub callbacks (C stack overflow): caught, then a normal model
-- expect: exit 0
local function f(n) return pcall(f, n + 1) end
f(1)
local function g(s) return (s:gsub(".", g)) end
pcall(g, "ab")
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
