-- attacks: every field of client (target, endpoint, arrivals, users, think, timeout, limit, priority, start) with wrong types and out-of-range values
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
local k = 0
local function cl(t) return function() k = k + 1; return client("c" .. k)(t) end end
local function open(field, v) local t = { target = web, arrivals = poisson(1) }; t[field] = v; return cl(t) end
local function closed(field, v) local t = { target = web, users = 2 }; t[field] = v; return cl(t) end
for _, v in ipairs({ 1, true, {}, print, "" }) do refuse("target=" .. show(v), open("target", v)) end
refuse("target=nil", cl({ arrivals = poisson(1) }))
for _, v in ipairs({ 1, true, {}, "" }) do refuse("endpoint=" .. show(v), open("endpoint", v)) end
for _, v in ipairs({ 5, "poisson", {}, true, exp(1), work(1) }) do refuse("arrivals=" .. show(v), open("arrivals", v)) end
for _, v in ipairs({ "4", true, {}, nan, inf, -inf, -0.0, -1, 0, 1.5, 2^63, 2^32, math.maxinteger, 5e-324 }) do refuse("users=" .. show(v), closed("users", v)) end
for _, v in ipairs({ -1, nan, inf, "1", true, {} }) do refuse("think=" .. show(v), closed("think", v)) end
refuse("think on open", open("think", exp(1)))
refuse("arrivals and users", open("users", 3))
refuse("neither arrivals nor users", cl({ target = web }))
for _, v in ipairs({ 0, -1, nan, -inf, "1", true, {}, -0.0, 5e-324 * 0 }) do refuse("timeout=" .. show(v), open("timeout", v)) end
for _, v in ipairs({ 0, -1, 1.5, nan, inf, 2^64, "1", true, {} }) do refuse("limit=" .. show(v), open("limit", v)) end
for _, v in ipairs({ 1.5, nan, inf, -inf, 2^31, -2^31 - 1, 2^63, "1", true, {} }) do refuse("priority=" .. show(v), open("priority", v)) end
for _, v in ipairs({ -1, nan, inf, -inf, "0", true, {} }) do refuse("start=" .. show(v), open("start", v)) end
refuse("unknown field user", open("user", 3))
for _, v in ipairs({ "", "a b", "a\0b", 1, {} }) do refuse("name=" .. show(v), function() return client(v) { target = web, arrivals = poisson(1) } end) end
if #bad > 0 then error(#bad .. " of " .. n .. " bad values accepted: " .. table.concat(bad, "; ")) end
client "c" { target = web, arrivals = poisson(1) }
run { duration = 5 }
