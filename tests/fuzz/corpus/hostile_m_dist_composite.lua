-- attacks: hyperexp, empirical and mixture with bad probabilities, weights, lengths, values and parts
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
  { "hyperexp scv 0.5", hyperexp, { mean = 1, scv = 0.5 } }, { "hyperexp scv nan", hyperexp, { mean = 1, scv = nan } },
  { "hyperexp scv inf", hyperexp, { mean = 1, scv = inf } }, { "hyperexp mean 0", hyperexp, { mean = 0, scv = 2 } },
  { "hyperexp probs sum 0.9", hyperexp, { probs = { 0.5, 0.4 }, means = { 1, 1 } } },
  { "hyperexp lengths differ", hyperexp, { probs = { 1 }, means = { 1, 2 } } },
  { "hyperexp negative prob", hyperexp, { probs = { -1, 2 }, means = { 1, 1 } } },
  { "hyperexp nan prob", hyperexp, { probs = { nan, 1 }, means = { 1, 1 } } },
  { "hyperexp mean 0 phase", hyperexp, { probs = { 0.5, 0.5 }, means = { 0, 1 } } },
  { "hyperexp empty", hyperexp, { probs = {}, means = {} } },
  { "empirical empty", empirical, {} }, { "empirical -1", empirical, { -1 } }, { "empirical nan", empirical, { nan } },
  { "empirical inf", empirical, { inf } }, { "empirical string", empirical, { "1" } }, { "empirical table", empirical, { {} } },
  { "empirical file and values", empirical, { 1, file = "x.csv" } }, { "empirical file number", empirical, { file = 5 } },
  { "empirical file empty", empirical, { file = "" } }, { "empirical column 0", empirical, { file = "x.csv", column = 0 } },
  { "mixture empty", mixture, {} }, { "mixture weight 0", mixture, { { 0, exp(1) } } },
  { "mixture weight -1", mixture, { { -1, exp(1) }, { 2, exp(1) } } }, { "mixture weight nan", mixture, { { nan, exp(1) } } },
  { "mixture weight inf", mixture, { { inf, exp(1) }, { 1, exp(1) } } }, { "mixture part string", mixture, { { 1, "x" } } },
  { "mixture part missing", mixture, { { 1 } } }, { "mixture entry number", mixture, { 1 } },
  { "mixture part a step", mixture, { { 1, work(1) } } }, { "mixture weights tiny", mixture, { { 5e-324, exp(1) }, { 5e-324, exp(2) } } },
}
for _, c in ipairs(cases) do refuse(c[1], c[2], c[3]) end
if #bad > 0 then error(#bad .. " of " .. n .. " bad values accepted: " .. table.concat(bad, "; ")) end
local web = service "web" { work = 0.001 }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 5 }
