-- attacks: param with bad names, missing or odd defaults, and the same name declared twice with different defaults
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
for _, v in ipairs({ 1, true, {}, "" }) do refuse("param name " .. show(v), param, v, 1) end
refuse("param without default", param, "x")
refuse("param default table", param, "t", {})
refuse("param default function", param, "f", print)
param("dup", 1)
refuse("param dup with another default", param, "dup", 2)
if #bad > 0 then error(#bad .. " of " .. n .. " bad values accepted: " .. table.concat(bad, "; ")) end
local web = service "web" { work = 0.001 }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 5 }
