-- attacks: binary chunks through load: a dumped function (if dump is reachable) and a forged header, in every mode
-- expect: exit 0
local forged = "\27Lua\84\0\25\147\13\10\26\10\4\8\8\120\86\0\0\0\0\0\0\0\0\0\0\0\40\119\64\1"
for _, mode in ipairs({ "b", "bt", "t" }) do
  local f = load(forged, "forged", mode)
  if f then error("load accepted a binary chunk in mode " .. mode) end
end
local mt = getmetatable("")
local dump = type(mt) == "table" and type(mt.__index) == "table" and mt.__index.dump
if dump then
  local f = load(dump(function() return 1 end))
  if f then error("load accepted a dumped function") end
end
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
