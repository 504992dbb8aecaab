-- attacks: run with wrong types, zero, negative, -0.0, NaN, infinite and out-of-range duration, warmup, sample and seed
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
local cases = {
  { "duration 0", { duration = 0 } }, { "duration -0.0", { duration = -0.0 } }, { "duration -1", { duration = -1 } },
  { "duration nan", { duration = nan } }, { "duration inf", { duration = inf } }, { "duration string", { duration = "10" } },
  { "duration table", { duration = {} } }, { "no duration", {} }, { "warmup -1", { duration = 10, warmup = -1 } },
  { "warmup nan", { duration = 10, warmup = nan } }, { "warmup = duration", { duration = 10, warmup = 10 } },
  { "warmup inf", { duration = 10, warmup = inf } }, { "sample 0", { duration = 10, sample = 0 } },
  { "sample -1", { duration = 10, sample = -1 } }, { "sample nan", { duration = 10, sample = nan } },
  { "sample > duration", { duration = 10, sample = 11 } }, { "sample inf", { duration = 10, sample = inf } },
  { "seed -1", { duration = 10, seed = -1 } }, { "seed 1.5", { duration = 10, seed = 1.5 } }, { "seed nan", { duration = 10, seed = nan } },
  { "seed 2^64", { duration = 10, seed = 2^64 } }, { "seed string", { duration = 10, seed = "1" } },
  { "unknown field", { duration = 10, duraton = 5 } }, { "positional", { 10 } },
}
for _, c in ipairs(cases) do refuse("run " .. c[1], run, c[2]) end
refuse("run with a number", run, 10)
refuse("run with nothing", run)
if #bad > 0 then error(#bad .. " of " .. n .. " bad values accepted: " .. table.concat(bad, "; ")) end
local web = service "web" { work = 0.001 }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 5 }
