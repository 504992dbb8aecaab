-- attacks: every field of service with wrong types and out-of-range numbers; each must be refused with a located message
-- expect: exit 0
local nan, inf = 0/0, 1/0
local bad, n = {}, 0
local function refuse(what, f, ...)
  n = n + 1
  local ok, msg = pcall(f, ...)
  if ok then bad[#bad + 1] = what
  elseif type(msg) ~= "string" or not msg:match("^.-%.lua:%d+: ") then bad[#bad + 1] = what .. " (unlocated: " .. tostring(msg) .. ")" end
end
local function show(v) return type(v) == "string" and string.format("%q", v) or (type(v) == "table" or type(v) == "function") and type(v) or tostring(v) end
local function svc(field, v) return function() local t = { work = 0.001 }; t[field] = v; return service("s" .. n)(t) end end
local counts = { "4", true, {}, print, nan, inf, -inf, -0.0, -1, 0, 1.5, 2^63, -2^63, 2^32, 2^53 + 1, math.maxinteger, math.mininteger, 5e-324 }
-- workers = inf (math.huge) is an infinite server: legitimate.
for i, v in ipairs(counts) do if v ~= inf then refuse("workers=" .. show(v), svc("workers", v)) end end
for i, v in ipairs(counts) do refuse("replicas=" .. show(v), svc("replicas", v)) end
-- queue = inf (math.huge) is an unbounded waiting room: legitimate.
for i, v in ipairs({ "4", true, {}, nan, -inf, -1, 1.5, 2^63, 2^64, -2^63, 5e-324 }) do refuse("queue=" .. show(v), svc("queue", v)) end
for i, v in ipairs({ "FIFO", "", "fifo\0", 1, true, {}, "random" }) do refuse("discipline=" .. show(v), svc("discipline", v)) end
for i, v in ipairs({ "ROUND_ROBIN", "", 0, false, {}, "fifo" }) do refuse("balancer=" .. show(v), svc("balancer", v)) end
for i, v in ipairs({ -1, nan, inf, -inf, "1", true, {}, print }) do refuse("work=" .. show(v), svc("work", v)) end
for i, v in ipairs({ "", "a b", "a\0b", "../x", "web\n", "a:1", "\27[31m", 1, {}, true }) do
  refuse("name=" .. show(v), function() return service(v) { work = 0.001 } end)
end
refuse("no name", function() return service { work = 0.001 } end)
refuse("unknown field worker", svc("worker", 4))
refuse("endpoint entry is a number", function() return service("x3") { 1 } end)
refuse("endpoint entry is a step", function() return service("x4") { work(1) } end)
refuse("work and endpoints", function() return service("x5") { work = 1, endpoint "e" { work(1) } } end)
refuse("no endpoint", function() return service("x6") {} end)
if #bad > 0 then error(#bad .. " of " .. n .. " bad service values accepted: " .. table.concat(bad, "; ")) end
local web = service "web" { work = 0.001 }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 5 }
