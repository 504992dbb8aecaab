-- attacks: outage, crash, slowdown and call/client retries with wrong values: NaN, infinities, negatives, strings, tables, functions, unknown fields, a zero-mean mttf, a retry storm of zero backoffs against a service that is always down
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
local db = service "db" { workers = 2, replicas = 2, work = 0.001 }
local values = { -1, nan, inf, -inf, "1", true, {}, print }
for _, v in ipairs(values) do
  refuse("outage at=" .. show(v), outage, { target = db, at = v, duration = 1 })
  refuse("outage duration=" .. show(v), outage, { target = db, at = 1, duration = v })
  refuse("slowdown factor=" .. show(v), slowdown, { target = db, at = 1, duration = 1, factor = v })
  refuse("crash mttf=" .. show(v), crash, { target = db, mttf = v, mttr = 1 })
  refuse("outage replica=" .. show(v), outage, { target = db, at = 1, duration = 1, replica = v })
  refuse("call retries=" .. show(v), call, db, { retries = v })
  if v ~= inf then refuse("call timeout=" .. show(v), call, db, { timeout = v }) end   -- inf: none
  refuse("call backoff=" .. show(v), call, db, { retries = 1, backoff = v ~= -1 and v ~= "1" and v or {} })
  refuse("exponential_backoff(" .. show(v) .. ")", exponential_backoff, v)
  refuse("constant_backoff(" .. show(v) .. ")", constant_backoff, v)
end
refuse("duration 0", outage, { target = db, at = 1, duration = 0 })
refuse("retries 1001", call, db, { retries = 1001 })
refuse("retries 1.5", call, db, { retries = 1.5 })
refuse("jitter unknown", call, db, { jitter = "random" })
refuse("on_down unknown", outage, { target = db, at = 1, duration = 1, on_down = "ignore" })
refuse("outage unknown field", outage, { target = db, at = 1, duration = 1, durtion = 2 })
refuse("outage no target", outage, { at = 1, duration = 1 })
refuse("outage target a number", outage, { target = 5, at = 1, duration = 1 })
refuse("outage with a number", outage, 5)
refuse("crash without mttr", crash, { target = db, mttf = 1 })
refuse("cap below base", exponential_backoff, 1, { cap = 0.5 })
refuse("cap a string", exponential_backoff, 1, { cap = "x" })
refuse("slowdown on_down", slowdown, { target = db, at = 1, duration = 1, factor = 2, on_down = "refuse" })
if #bad > 0 then error(#bad .. " of " .. n .. " bad values accepted: " .. table.concat(bad, "; ")) end
-- What is accepted must run: a crash whose mttr is 0 (taken as the clock's resolution), a whole
-- service always down behind zero backoffs and many retries (10^4 attempts a request).
crash { target = db, replica = 0, mttf = exp(0.5), mttr = 0 }
outage { target = db, at = 0, duration = 1e9 }
slowdown { target = db, replica = 1, at = 0, duration = 1e9, factor = 1e9 }
local web = service "web" { workers = "inf", endpoint "get" { call(db, { retries = 100, timeout = 1 }) } }
client "c" { target = web, arrivals = poisson(5), retries = 100 }
run { duration = 5 }
