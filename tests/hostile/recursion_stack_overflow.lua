-- attacks: unbounded non-tail recursion in scenario code: a Lua stack overflow, which must be located
-- expect: exit 1
local function f(n) return 1 + f(n + 1) end
f(1)
