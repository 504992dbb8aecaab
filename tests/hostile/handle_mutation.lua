-- attacks: writing to service handles and distributions, directly and with rawset and setmetatable (handles are read-only)
-- must: read-only handles, rawset included
-- expect: exit 0
local web = service "web" { work = exp(0.01) }
local d = exp(1)
local tries = {
  { "web.name = 'x'", function() web.name = "x" end }, { "d.mean = -1", function() d.mean = -1 end },
  { "rawset(web, 'name', 'x')", function() rawset(web, "name", "x") end }, { "rawset(d, 'mean', -1)", function() rawset(d, "mean", -1) end },
  { "setmetatable(web, nil)", function() setmetatable(web, nil) end },
}
local changed = {}
for _, t in ipairs(tries) do
  pcall(t[2])
  if web.name ~= "web" or d.mean ~= 1 then changed[#changed + 1] = t[1] .. " changed the value" end
  if web.name ~= "web" then break end
end
if #changed > 0 then error("read-only handles were written: " .. table.concat(changed, "; ")) end
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
