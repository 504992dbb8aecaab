-- attacks: link with wrong latency values, half pairs, unknown fields and non-string node names
-- expect: exit 0
local nan, inf = 0/0, 1/0
local bad, n = {}, 0
local function show(v) return type(v) == "string" and string.format("%q", v) or (type(v) == "table" or type(v) == "function") and type(v) or tostring(v) end
local function refuse(what, f, ...)
  n = n + 1
  local ok, msg = pcall(f, ...)
  if ok then bad[#bad + 1] = what
  elseif type(msg) ~= "string" or not msg:match("^.-%.lua:%d+: ") then bad[#bad + 1] = what .. " (unlocated: " .. show(msg) .. ")" end
end
local web = service "web" { work = 0.001 }
for _, v in ipairs({ -1, nan, inf, -inf, "1", true, {}, print }) do refuse("latency=" .. show(v), link, { from = "web", to = "c", latency = v }) end
refuse("from without to", link, { from = "web", latency = 1 })
refuse("to without from", link, { to = "web", latency = 1 })
refuse("from a number", link, { from = 1, to = "web", latency = 1 })
refuse("from a table", link, { from = {}, to = "web", latency = 1 })
refuse("unknown field", link, { latency = 1, latncy = 2 })
refuse("no latency", link, { from = "web", to = "c" })
refuse("link with a number", link, 5)
if #bad > 0 then error(#bad .. " of " .. n .. " bad values accepted: " .. table.concat(bad, "; ")) end
client "c" { target = web, arrivals = poisson(1) }
run { duration = 5 }
