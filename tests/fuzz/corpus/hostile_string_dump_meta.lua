-- attacks: string.dump reached through the shared string metatable (the sandbox's string has no dump)
-- expect: exit 0
local ok, mt = pcall(getmetatable, "")
local index = ok and type(mt) == "table" and rawget(mt, "__index")
if type(index) == "table" and rawget(index, "dump") ~= nil then error("string.dump is reachable through getmetatable('').__index") end
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
