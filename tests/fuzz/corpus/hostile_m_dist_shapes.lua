-- attacks: gamma, erlang, weibull and pareto with zero, negative, NaN, infinite, fractional and degenerate shapes
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
  { "gamma shape 0", gamma, { shape = 0, mean = 1 } }, { "gamma shape nan", gamma, { shape = nan, mean = 1 } },
  { "gamma mean inf", gamma, { shape = 1, mean = inf } }, { "gamma shape inf", gamma, { shape = inf, mean = 1 } },
  { "gamma mean -1", gamma, { shape = 1, mean = -1 } }, { "gamma no mean", gamma, { shape = 1 } },
  { "weibull shape 0", weibull, { shape = 0, mean = 1 } }, { "weibull shape nan", weibull, { shape = nan, mean = 1 } },
  { "weibull shape 1e-300", weibull, { shape = 1e-300, mean = 1 } }, { "weibull mean inf", weibull, { shape = 1, mean = inf } },
  { "pareto alpha 1 by mean", pareto, { alpha = 1, mean = 1 } }, { "pareto alpha 0", pareto, { alpha = 0, min = 1 } },
  { "pareto alpha nan", pareto, { alpha = nan, min = 1 } }, { "pareto min 0", pareto, { alpha = 2, min = 0 } },
  { "pareto min inf", pareto, { alpha = 2, min = inf } }, { "pareto both forms", pareto, { alpha = 2, min = 1, mean = 3 } },
  { "pareto alpha inf", pareto, { alpha = inf, min = 1 } },
}
for _, c in ipairs(cases) do refuse(c[1], c[2], c[3]) end
for _, k in ipairs({ 0, -1, 1.5, nan, inf, "2", 2^63 }) do refuse("erlang(" .. show(k) .. ", 1)", erlang, k, 1) end
refuse("erlang(2, 0)", erlang, 2, 0)
refuse("erlang(2, nan)", erlang, 2, nan)
if #bad > 0 then error(#bad .. " of " .. n .. " bad values accepted: " .. table.concat(bad, "; ")) end
local web = service "web" { work = 0.001 }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 5 }
