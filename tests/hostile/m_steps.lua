-- attacks: endpoint, work, sleep, call, parallel and branch with wrong types, empty bodies, bad joins and quorums, bad probabilities
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
local db = service "db" { work = 0.001 }
for _, v in ipairs({ -1, nan, inf, -inf, "1", true, {}, print }) do
  refuse("work(" .. show(v) .. ")", work, v)
  refuse("sleep(" .. show(v) .. ")", sleep, v)
end
refuse("work()", work)
for _, v in ipairs({ 1, true, {}, "", print }) do refuse("call(" .. show(v) .. ")", call, v) end
refuse("call(nil)", call, nil)
refuse("call endpoint number", call, db, { endpoint = 1 })
refuse("call blocking string", call, db, { blocking = "yes" })
refuse("call unknown option", call, db, { blockng = false })
refuse("call options a number", call, db, 5)
refuse("parallel {}", parallel, {})
refuse("parallel join some", parallel, { work(1), work(1), join = "some" })
for _, q in ipairs({ 0, -1, 1.5, nan, inf, 3, "1" }) do refuse("quorum=" .. show(q), parallel, { work(1), work(1), quorum = q }) end
refuse("quorum with join all", parallel, { work(1), work(1), quorum = 1, join = "all" })
refuse("parallel blocking 1", parallel, { work(1), blocking = 1 })
refuse("parallel branch a number", parallel, { 5 })
refuse("parallel branch a string", parallel, { "work" })
refuse("parallel branch empty table", parallel, { {} })
refuse("parallel a number", parallel, 5)
refuse("branch {}", branch, {})
refuse("branch sum 0.5", branch, { { 0.5, work(1) } })
refuse("branch sum 1.5", branch, { { 1, work(1) }, { 0.5, work(1) } })
refuse("branch nan", branch, { { nan, work(1) }, { 1, work(1) } })
refuse("branch negative", branch, { { -0.5, work(1) }, { 1.5, work(1) } })
refuse("branch inf", branch, { { inf, work(1) } })
refuse("branch zero arm", branch, { { 0, work(1) }, { 1, work(1) } })
refuse("branch string prob", branch, { { "1", work(1) } })
refuse("branch arm not a table", branch, { 1 })
refuse("branch arm bad step", branch, { { 1, 5 } })
for _, v in ipairs({ 1, true, {}, "", "a b", "a\0b" }) do refuse("endpoint name " .. show(v), function() return endpoint(v) { work(1) } end) end
refuse("endpoint empty", function() return endpoint("e") {} end)
refuse("endpoint step a number", function() return endpoint("e") { 5 } end)
refuse("endpoint step a string", function() return endpoint("e") { "work" } end)
refuse("endpoint step a distribution", function() return endpoint("e") { exp(1) } end)
refuse("duplicate endpoint", function() return service("dupe") { endpoint "a" { work(1) }, endpoint "a" { work(1) } } end)
if #bad > 0 then error(#bad .. " of " .. n .. " bad values accepted: " .. table.concat(bad, "; ")) end
local web = service "web" { work = 0.001 }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 5 }
