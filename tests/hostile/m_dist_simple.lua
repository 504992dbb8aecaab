-- attacks: const, exp, uniform and normal with wrong types, NaN, infinities, -0.0, huge and inverted parameters
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
for _, v in ipairs({ -1, nan, inf, -inf, "1", true, {}, print }) do refuse("const(" .. show(v) .. ")", const, v) end
for _, v in ipairs({ 0, -0.0, -1, nan, inf, -inf, "1", true, {}, 5e-324 * 0 }) do refuse("exp(" .. show(v) .. ")", exp, v) end
refuse("exp()", exp)
refuse("exp{means=1}", exp, { means = 1 })
refuse("exp{mean=1, extra=2}", exp, { mean = 1, extra = 2 })
refuse("uniform(2, 1)", uniform, 2, 1)
refuse("uniform(-1, 1)", uniform, -1, 1)
refuse("uniform(0, inf)", uniform, 0, inf)
refuse("uniform(nan, 1)", uniform, nan, 1)
refuse("uniform(0, nan)", uniform, 0, nan)
refuse("uniform('0', 1)", uniform, "0", 1)
refuse("uniform(1)", uniform, 1)
refuse("normal(1, -1)", normal, 1, -1)
refuse("normal(-100, 1)", normal, -100, 1)
refuse("normal(-1, 0)", normal, -1, 0)
refuse("normal(nan, 1)", normal, nan, 1)
refuse("normal(1, nan)", normal, 1, nan)
refuse("normal(inf, 1)", normal, inf, 1)
refuse("normal(1, inf)", normal, 1, inf)
refuse("normal{mean=1}", normal, { mean = 1 })
if #bad > 0 then error(#bad .. " of " .. n .. " bad values accepted: " .. table.concat(bad, "; ")) end
local web = service "web" { work = 0.001 }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 5 }
