-- attacks: poisson, constant, schedule and bursty with wrong types, zero, negative, NaN and infinite rates, bad schedules
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
for _, f in ipairs({ { "poisson", poisson }, { "constant", constant } }) do
  for _, v in ipairs({ 0, -1, nan, inf, -inf, -0.0, "1", true, {} }) do refuse(f[1] .. "(" .. show(v) .. ")", f[2], v) end
  refuse(f[1] .. "()", f[2])
  refuse(f[1] .. "{ rate = nan }", f[2], { rate = nan })
  refuse(f[1] .. "{ rat = 1 }", f[2], { rat = 1 })
end
local scheds = {
  { "empty", {} }, { "not from 0", { { 1, 5 } } }, { "negative rate", { { 0, -1 } } }, { "nan rate", { { 0, nan } } },
  { "inf rate", { { 0, inf } } }, { "all zero", { { 0, 0 } } }, { "same time twice", { { 0, 1 }, { 0, 2 } } },
  { "decreasing", { { 0, 1 }, { 5, 2 }, { 3, 1 } } }, { "nan time", { { 0, 1 }, { nan, 1 } } }, { "inf time", { { 0, 1 }, { inf, 1 } } },
  { "string point", { "0,1" } }, { "short point", { { 0 } } }, { "long point", { { 0, 1, 2 } } }, { "string rate", { { 0, "1" } } },
  { "number", 5 }, { "string", "x" },
}
for _, s in ipairs(scheds) do refuse("schedule " .. s[1], schedule, s[2]) end
local bursts = {
  { "rate 0", { rate = 0, on = 1, off = 1 } }, { "rate nan", { rate = nan, on = 1, off = 1 } }, { "rate inf", { rate = inf, on = 1, off = 1 } },
  { "on -1", { rate = 1, on = -1, off = 1 } }, { "off nan", { rate = 1, on = 1, off = nan } }, { "on string", { rate = 1, on = "x", off = 1 } },
  { "missing on", { rate = 1, off = 1 } }, { "missing off", { rate = 1, on = 1 } }, { "unknown field", { rate = 1, on = 1, off = 1, of = 2 } },
}
for _, b in ipairs(bursts) do refuse("bursty " .. b[1], bursty, b[2]) end
if #bad > 0 then error(#bad .. " of " .. n .. " bad values accepted: " .. table.concat(bad, "; ")) end
local web = service "web" { work = 0.001 }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 5 }
