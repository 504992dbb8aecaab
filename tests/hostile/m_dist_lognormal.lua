-- attacks: the three lognormal forms with zero, inverted, NaN, infinite and overflowing parameters (mu = 800 overflows exp)
-- must: refuse each listed value with a located message
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
  { "median 0", { median = 0, p99 = 1 } }, { "median > p99", { median = 2, p99 = 1 } }, { "median nan", { median = nan, p99 = 1 } },
  { "p99 inf", { median = 1, p99 = inf } }, { "mean 0", { mean = 0, sd = 1 } }, { "sd -1", { mean = 1, sd = -1 } },
  { "mean inf", { mean = inf, sd = 1 } }, { "sd nan", { mean = 1, sd = nan } }, { "sigma -1", { mu = 0, sigma = -1 } },
  { "mu nan", { mu = nan, sigma = 1 } }, { "mu inf", { mu = inf, sigma = 1 } }, { "mu 800", { mu = 800, sigma = 1 } },
  { "sigma 1e300", { mu = 0, sigma = 1e300 } }, { "mixed forms", { median = 1, p99 = 2, mu = 0 } }, { "median only", { median = 1 } },
  { "nothing", {} }, { "positional", { 1, 2 } },
}
for _, c in ipairs(cases) do refuse("lognormal " .. c[1], lognormal, c[2]) end
refuse("lognormal(1)", lognormal, 1)
if #bad > 0 then error(#bad .. " of " .. n .. " bad values accepted: " .. table.concat(bad, "; ")) end
local web = service "web" { work = 0.001 }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 5 }
