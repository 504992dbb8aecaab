-- attacks: writing to service handles and distributions, and rawset on them (handles are read-only)
-- expect: exit 0
local web = service "web" { work = exp(0.01) }
local d = exp(1)
local blocked = 0
for _, f in ipairs({ function() web.name = "x" end, function() d.mean = -1 end, function() rawset(web, "name", "x") end,
                     function() rawset(d, "mean", -1) end, function() setmetatable(web, nil) end }) do
  if not pcall(f) then blocked = blocked + 1 end
end
if web.name ~= "web" then error("handle renamed to " .. tostring(web.name)) end
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
