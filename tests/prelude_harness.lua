--[[
Test harness for the prelude (the modules in lua/dessa/) under the plain lua5.4 interpreter.

Run from the project root:   lua5.4 tests/prelude_harness.lua [-v]

It drives the prelude the way the C program does (setup, env, load the scenario with chunk name
"@path" in the sandbox, call it protected, finish) and checks:
  1. good inline scenarios: the SPEC table's shape and values;
  2. every tests/errors/*.lua: the single-line error against its "-- expect: ..." first line
     (an optional "-- set: name=value, ..." second line gives --set overrides; files with a
     line "-- only: dessa" hold messages made by the C side and are left to tests/errors.sh);
  3. every "-- example: NAME" block of docs/lua-api.md: it must pass finish().
The last line printed is "N passed, M failed"; the exit status is non-zero on failure.
]]

local PRELUDE_DIR = "lua/dessa/"
local VERBOSE = arg and arg[1] == "-v"

local passed, failed = 0, 0

-- A deterministic stand-in for the C side's seeded math.random.
local function fake_random(m, n)
  if m == nil then return 0.5 end
  if n == nil then return 1 end
  return m
end

-- Loads a fresh copy of the prelude (the C side uses a fresh Lua state per run).
-- Modules are loaded the way the C loader does: each chunk is named "@lua/dessa/<name>.lua"
-- and gets need(name) as its argument, which returns another module (loaded once).
local function new_prelude()
  local loaded = {}
  local function need(name)
    if loaded[name] == nil then
      local chunk = assert(loadfile(PRELUDE_DIR .. name .. ".lua"))
      local m = chunk(need)
      if m == nil then m = true end
      loaded[name] = m
    end
    return loaded[name]
  end
  return need("init")
end

-- Runs one scenario source; returns spec or nil, error message.
-- The sandbox points the (process-wide) string metatable at its guarded string table; the
-- harness puts the plain one back after each scenario.
local STRING_MT = debug.getmetatable("")
local function restore_strings()
  STRING_MT.__index, STRING_MT.__metatable = string, nil
end

local function run_scenario_raw(src, path, overrides, unsafe)
  local M = new_prelude()
  M.setup({ overrides = overrides or {}, random = fake_random, unsafe = unsafe or false })
  local env = M.env()
  local fn, err = load(src, "@" .. path, "t", env)
  if not fn then return nil, err end
  local ok, e = pcall(fn)
  if not ok then return nil, tostring(e) end
  local ok2, spec = pcall(M.finish)
  if not ok2 then return nil, tostring(spec) end
  return spec
end

local function run_scenario(...)
  local spec, err = run_scenario_raw(...)
  restore_strings()
  return spec, err
end

local function report(ok, name, detail)
  if ok then
    passed = passed + 1
    if VERBOSE then print("ok    " .. name) end
  else
    failed = failed + 1
    print("FAIL  " .. name .. (detail and ("\n      " .. detail) or ""))
  end
end

---------------------------------------------------------------------------------------------
-- Assertion helpers used by the good-scenario checks; they raise "what: expected X, got Y".
---------------------------------------------------------------------------------------------

local function show(v)
  if type(v) == "string" then return string.format("%q", v) end
  return tostring(v)
end

local function eq(actual, expected, what)
  if actual ~= expected then
    error(string.format("%s: expected %s, got %s", what, show(expected), show(actual)), 0)
  end
end

local function near(actual, expected, what)
  if type(actual) ~= "number" or math.abs(actual - expected) > 1e-12 * math.max(1, math.abs(expected)) then
    error(string.format("%s: expected about %s, got %s", what, show(expected), show(actual)), 0)
  end
end

-- Every key of expected must be equal (recursively) in actual; numbers compared with near().
local function match(actual, expected, what)
  if type(expected) ~= "table" then
    if type(expected) == "number" then return near(actual, expected, what) end
    return eq(actual, expected, what)
  end
  if type(actual) ~= "table" then
    error(string.format("%s: expected a table, got %s", what, show(actual)), 0)
  end
  for k, v in pairs(expected) do match(actual[k], v, what .. "." .. tostring(k)) end
end

-- Checks that a "where" field is "path:line".
local function at(v, path, line, what)
  eq(v, path .. ":" .. line, what .. ".where")
end

---------------------------------------------------------------------------------------------
-- 1. Good scenarios
---------------------------------------------------------------------------------------------

local GOOD = {}

local function good(name, src, check, overrides, unsafe)
  GOOD[#GOOD + 1] = { name = name, src = src, check = check, overrides = overrides,
                      unsafe = unsafe }
end

local EXAMPLE = [[
local threads = param("threads", 4)
link { latency = exp(ms(1)) }
local db  = service "db"  { workers = 1, work = exp(ms(50)) }
local web = service "web" { workers = threads, queue = 100,
  endpoint "page" { work(exp(ms(20))), call(db), work(ms(1)) } }
client "users" { target = web, users = 10, think = exp(2) }     -- closed workload
run { duration = 3600, warmup = 60, sample = 10 }
]]

good("brief example, defaults", EXAMPLE, function(s, p)
  match(s.params, { { name = "threads", default = 4, value = 4 } }, "params")
  match(s.run, { duration = 3600, warmup = 60, sample = 10 }, "run")
  eq(s.run.seed, nil, "run.seed")
  at(s.run.where, p, 7, "run")
  match(s.link, { latency = { kind = "exp", mean = 0.001 } }, "link")
  at(s.link.where, p, 2, "link")
  at(s.link.latency.where, p, 2, "link.latency")
  eq(#s.links, 0, "#links")
  eq(#s.services, 2, "#services")
  match(s.services[1], { name = "db", workers = 1, queue = -1, discipline = "fifo",
    replicas = 1, balancer = "round_robin",
    endpoints = { { name = "default", steps = { { op = "work", dist = { kind = "exp", mean = 0.05 } } } } } },
    "services[1]")
  eq(#s.services[1].endpoints, 1, "#db.endpoints")
  at(s.services[1].endpoints[1].where, p, 3, "db.default")
  local web = s.services[2]
  match(web, { name = "web", workers = 4, queue = 100 }, "web")
  at(web.where, p, 4, "web")
  local steps = web.endpoints[1].steps
  eq(#steps, 3, "#web.page.steps")
  match(steps[1], { op = "work", dist = { kind = "exp", mean = 0.02 } }, "step1")
  match(steps[2], { op = "call", service = "db", endpoint = "default", blocking = true }, "step2")
  match(steps[3], { op = "work", dist = { kind = "const", value = 0.001 } }, "step3")
  at(steps[3].dist.where, p, 5, "step3.dist")
  eq(#s.clients, 1, "#clients")
  match(s.clients[1], { name = "users", target = "web", endpoint = "page", kind = "closed",
    users = 10, think = { kind = "exp", mean = 2 }, priority = 0, start = 0 }, "client")
  eq(s.clients[1].arrivals, nil, "client.arrivals")
  eq(s.clients[1].timeout, nil, "client.timeout")
  eq(s.clients[1].limit, nil, "client.limit")
  eq(math.type(s.services[2].workers), "integer", "workers is an integer")
end)

good("brief example, --set threads=8", EXAMPLE, function(s)
  match(s.params, { { name = "threads", default = 4, value = 8 } }, "params")
  eq(s.services[2].workers, 8, "web.workers")
  eq(math.type(s.services[2].workers), "integer", "workers is an integer")
end, { threads = "8" })

good("params of every type", [[
local rate = param("rate", 2.5)
local debug_on = param("debug", false)
local mode = param("mode", "fast")
local yes = param("yes", false)
local keep = param("keep", true)
assert(debug_on == true and mode == "slow" and rate == 7.5 and yes == true and keep == true)
local n = param("rate", 2.5)   -- asking twice is fine
service "s" { work = 0.01 }
client "c" { target = "s", arrivals = poisson(rate) }
run { duration = 10 }
]], function(s)
  eq(#s.params, 5, "#params")
  match(s.params[1], { name = "rate", default = 2.5, value = 7.5 }, "params[1]")
  match(s.params[2], { name = "debug", default = false, value = true }, "params[2]")
  match(s.params[3], { name = "mode", default = "fast", value = "slow" }, "params[3]")
  match(s.params[4], { name = "yes", value = true }, "params[4]")
  match(s.clients[1].arrivals, { kind = "poisson", rate = 7.5 }, "arrivals")
  eq(s.run.sample, 10 / 60, "default sample")
  eq(s.run.warmup, 0, "default warmup")
end, { rate = "7.5", debug = "1", mode = "slow", yes = "YES" })

good("time helpers", [[
assert(ms(250) == 0.25 and us(500) == 0.0005 and seconds(3) == 3)
assert(minutes(2) == 120 and hours(1) == 3600)
service "s" { work = us(100) }
client "c" { target = "s", arrivals = constant(5) }
run { duration = hours(2), warmup = minutes(10), sample = seconds(30), seed = 42 }
]], function(s)
  match(s.run, { duration = 7200, warmup = 600, sample = 30, seed = 42 }, "run")
  eq(math.type(s.run.seed), "integer", "seed type")
  match(s.services[1].endpoints[1].steps[1].dist, { kind = "const", value = 1e-4 }, "dist")
  match(s.clients[1].arrivals, { kind = "constant", rate = 5 }, "arrivals")
end)

good("every distribution", [[
local list = {
  const(0.5), exp(2), exp { mean = 3 }, uniform(1, 2), uniform { lo = 0, hi = 4 },
  normal(1, 0.5), normal { mean = 2, sd = 0.1 },
  lognormal { median = 0.1, p99 = 0.5 }, lognormal { mean = 2, sd = 1 },
  lognormal { mu = -1, sigma = 0.3 },
  gamma { shape = 2, mean = 0.5 }, erlang(3, 0.6), erlang { k = 2, mean = 1 },
  weibull { shape = 1.5, mean = 0.2 },
  pareto { alpha = 3, mean = 0.3 }, pareto { alpha = 1.5, min = 0.01 },
  hyperexp { mean = 1, scv = 4 }, hyperexp { probs = { 0.25, 0.75 }, means = { 1, 2 } },
  empirical { 0.1, 0.2, 0.3 },
  mixture { { 3, exp(0.01) }, { 1, 0.5 } },
}
local steps = {}
for i, d in ipairs(list) do steps[i] = work(d) end
service "s" { endpoint "all" (steps) }
client "c" { target = "s", arrivals = poisson(1) }
run { duration = 10 }
]], function(s, p)
  local d = {}
  for i, st in ipairs(s.services[1].endpoints[1].steps) do d[i] = st.dist end
  eq(#d, 20, "#dists")
  match(d[1], { kind = "const", value = 0.5 }, "const")
  match(d[2], { kind = "exp", mean = 2 }, "exp")
  match(d[3], { kind = "exp", mean = 3 }, "exp{}")
  match(d[4], { kind = "uniform", lo = 1, hi = 2 }, "uniform")
  match(d[5], { kind = "uniform", lo = 0, hi = 4 }, "uniform{}")
  match(d[6], { kind = "normal", mean = 1, sd = 0.5 }, "normal")
  match(d[7], { kind = "normal", mean = 2, sd = 0.1 }, "normal{}")
  match(d[8], { kind = "lognormal", mu = math.log(0.1),
    sigma = (math.log(0.5) - math.log(0.1)) / 2.3263478740408408 }, "lognormal median/p99")
  local s2 = math.log(1 + 1 / 4)
  match(d[9], { kind = "lognormal", mu = math.log(2) - s2 / 2, sigma = math.sqrt(s2) },
    "lognormal mean/sd")
  match(d[10], { kind = "lognormal", mu = -1, sigma = 0.3 }, "lognormal mu/sigma")
  eq(d[8].median, nil, "lognormal has no median field")
  match(d[11], { kind = "gamma", shape = 2, mean = 0.5 }, "gamma")
  match(d[12], { kind = "erlang", k = 3, mean = 0.6 }, "erlang")
  match(d[13], { kind = "erlang", k = 2, mean = 1 }, "erlang{}")
  match(d[14], { kind = "weibull", shape = 1.5, mean = 0.2 }, "weibull")
  match(d[15], { kind = "pareto", alpha = 3, min = 0.2 }, "pareto mean")
  eq(d[15].mean, nil, "pareto has no mean field")
  match(d[16], { kind = "pareto", alpha = 1.5, min = 0.01 }, "pareto min")
  local p1 = (1 + math.sqrt(3 / 5)) / 2
  match(d[17], { kind = "hyperexp", probs = { p1, 1 - p1 },
    means = { 1 / (2 * p1), 1 / (2 * (1 - p1)) } }, "hyperexp balanced")
  eq(#d[17].probs, 2, "#hyperexp.probs")
  match(d[18], { kind = "hyperexp", probs = { 0.25, 0.75 }, means = { 1, 2 } }, "hyperexp")
  match(d[19], { kind = "empirical", values = { 0.1, 0.2, 0.3 } }, "empirical")
  match(d[20], { kind = "mixture", weights = { 0.75, 0.25 },
    parts = { { kind = "exp", mean = 0.01 }, { kind = "const", value = 0.5 } } }, "mixture")
  at(d[20].parts[2].where, p, 11, "mixture part")
  for i, x in ipairs(d) do
    eq(type(x.where) == "string" and x.where:match("^(.*):%d+$"), p, "dist " .. i .. ".where")
    eq(getmetatable(x), nil, "dist " .. i .. " is a plain table")
  end
end)

good("steps: sleep, call forms, parallel, branch", [[
local db = service "db" {
  endpoint "read" { work(exp(0.002)) },
  endpoint "write" { work(exp(0.01)) },
}
local slow = false
service "api" {
  endpoint "get" {
    sleep(0.001),
    call(db.read),
    call(db, { endpoint = "write", blocking = false }),
    call("cache"),
    slow and call(db),
    parallel { call(db.read), { work(0.001), call(db.write) } },
    parallel { call(db.read), call(db.read), call(db.read), quorum = 2, blocking = false },
    parallel { call(db.read), call("cache"), join = "any" },
    branch { { 0.7, call("cache") }, { 0.2, { work(0.001), call(db.read) } }, { 0.1 } },
  },
}
service "cache" { work = exp(0.0005) }
client "c" { target = "api", arrivals = poisson(10) }
run { duration = 10 }
]], function(s, p)
  local st = s.services[2].endpoints[1].steps
  eq(#st, 8, "#steps (false skipped)")
  match(st[1], { op = "sleep", dist = { kind = "const", value = 0.001 } }, "sleep")
  match(st[2], { op = "call", service = "db", endpoint = "read", blocking = true }, "call handle")
  match(st[3], { op = "call", service = "db", endpoint = "write", blocking = false }, "call opts")
  match(st[4], { op = "call", service = "cache", endpoint = "default" }, "call by name")
  at(st[4].where, p, 11, "call by name")
  match(st[5], { op = "parallel", join = "all", quorum = 2, blocking = true }, "parallel all")
  eq(#st[5].branches, 2, "#branches")
  eq(#st[5].branches[1], 1, "#branch 1")
  match(st[5].branches[2], { { op = "work" }, { op = "call", service = "db", endpoint = "write" } },
    "branch 2 sequence")
  match(st[6], { op = "parallel", join = "quorum", quorum = 2, blocking = false }, "quorum")
  match(st[7], { op = "parallel", join = "any", quorum = 1 }, "any")
  match(st[8], { op = "branch", probs = { 0.7, 0.2, 0.1 } }, "branch")
  eq(#st[8].arms, 3, "#arms")
  eq(#st[8].arms[2], 2, "#arm 2")
  eq(#st[8].arms[3], 0, "empty arm")
end)

good("service fields and open clients", [[
local web = service "web" {
  workers = 8, queue = 0, discipline = "priority", replicas = 3, balancer = "power_of_two",
  endpoint "a" { work(0.01) },
  endpoint "b" { work(0.02) },
}
client "steady" { target = web.b, arrivals = poisson(20), timeout = 2, limit = 1000,
                  priority = 5, start = 30 }
client "sched" { target = "web", endpoint = "a",
                 arrivals = schedule { { 0, 5 }, { 60, 0 }, { 120, 50 } } }
client "bursts" { target = web, arrivals = bursty { rate = 100, on = exp(1), off = 5 } }
client "closed" { target = web, users = 3 }
run { duration = 300 }
]], function(s, p)
  match(s.services[1], { workers = 8, queue = 0, discipline = "priority", replicas = 3,
    balancer = "power_of_two" }, "web")
  eq(#s.clients, 4, "#clients")
  match(s.clients[1], { name = "steady", target = "web", endpoint = "b", kind = "open",
    arrivals = { kind = "poisson", rate = 20 }, timeout = 2, limit = 1000, priority = 5,
    start = 30 }, "steady")
  eq(s.clients[1].users, nil, "open client has no users")
  eq(s.clients[1].think, nil, "open client has no think")
  match(s.clients[2], { endpoint = "a", arrivals = { kind = "schedule", times = { 0, 60, 120 },
    rates = { 5, 0, 50 } } }, "sched")
  match(s.clients[3], { endpoint = "a", arrivals = { kind = "bursty", rate = 100,
    on = { kind = "exp", mean = 1 }, off = { kind = "const", value = 5 } } }, "bursts")
  match(s.clients[4], { kind = "closed", users = 3, think = { kind = "const", value = 0 } },
    "closed")
  at(s.clients[4].think.where, p, 11, "default think")
end)

good("links", [[
local web = service "web" { work = 0.01 }
local db = service "db" { work = 0.01 }
local users = client "users" { target = web, arrivals = poisson(1) }
link { from = users, to = web, latency = ms(40) }
link { from = "web", to = db, latency = uniform(0.001, 0.002) }
run { duration = 10 }
]], function(s, p)
  eq(s.link.latency, nil, "no default link")
  eq(#s.links, 2, "#links")
  match(s.links[1], { from = "users", to = "web", latency = { kind = "const", value = 0.04 } },
    "links[1]")
  at(s.links[1].where, p, 4, "links[1]")
  match(s.links[2], { from = "web", to = "db", latency = { kind = "uniform", lo = 0.001,
    hi = 0.002 } }, "links[2]")
end)

good("sandbox library", [[
assert(math.random(1, 6) == 1 and math.random() == 0.5)
math.randomseed(123)
assert(string.rep("a", 3) == "aaa" and ("x"):upper() == "X")
assert(table.concat({ 1, 2 }, ",") == "1,2" and utf8.char(72) == "H")
assert(unpack({ 1, 2 }) == 1 and select("#", 1, 2) == 2)
assert(string.dump == nil)
assert(pcall(function() return undefined_thing end) == false)
local f = load("return 1 + 1")
assert(f() == 2)
assert(load("\27Lua", "bin", "b") == nil)
local ok, e = pcall(function() local x = nothing_here end)
assert(not ok and e:find("unknown name 'nothing_here'", 1, true))
print("hello from the harness")
service "s" { work = 0.01 }
client "c" { target = "s", arrivals = poisson(1) }
run { duration = 10 }
]], function() end)

good("unsafe mode exposes os, io and require", [[
assert(type(os.time) == "function" and type(io.open) == "function")
assert(type(require) == "function")
service "s" { work = 0.01 }
client "c" { target = "s", arrivals = poisson(1) }
run { duration = 10 }
]], function() end, nil, true)

-- empirical { file = ... }: the CSV is written next to a scenario in a temporary directory.
local tmpdir = os.tmpname()
os.remove(tmpdir)
os.execute("mkdir -p '" .. tmpdir .. "'")
do
  local fh = assert(io.open(tmpdir .. "/lat.csv", "w"))
  fh:write("id,latency\n1,0.010\n2, 0.020\r\n\n# comment\n3,\"0.030\"\n")
  fh:close()
  fh = assert(io.open(tmpdir .. "/bare.csv", "w"))
  fh:write("0.5,9\n1.5,9\n")
  fh:close()
end
good("empirical from CSV", [[
service "a" { work = empirical { file = "lat.csv", column = "latency" } }
service "b" { work = empirical { file = "bare.csv" } }
service "c" { work = empirical { file = "lat.csv", column = 2 } }
client "u" { target = "a", arrivals = poisson(1) }
run { duration = 10 }
]], function(s)
  match(s.services[1].endpoints[1].steps[1].dist, { kind = "empirical",
    values = { 0.01, 0.02, 0.03 } }, "by name")
  match(s.services[2].endpoints[1].steps[1].dist.values, { 0.5, 1.5 }, "no header")
  match(s.services[3].endpoints[1].steps[1].dist.values, { 0.01, 0.02, 0.03 }, "by index")
end)

local THREADS = [[
local vm = host "vm1" { cores = 4, cpu = "fcfs" }
local threads = param("threads", 8)
local db = service "db" { workers = math.huge, endpoint "q" { io(0.05) } }
service "app" { workers = threads, host = vm, endpoint "get" { work(0.01), call(db) } }
service "ps" { workers = 2, discipline = "ps", cores = 1.5, work = 1 }
service "own" { workers = "inf", cores = 2, cpu = "fcfs", work = 1 }
client "u" { target = "app", arrivals = poisson(1) }
run { duration = 10 }
]]

good("threads, cores and hosts", THREADS, function(s)
  match(s.hosts, { { name = "vm1", cores = 4, cpu = "fcfs" } }, "hosts")
  match(s.services[1], { name = "db", workers = "inf", cores = 0, cpu = "ps" }, "db")
  eq(s.services[1].host, nil, "db.host")
  match(s.services[1].endpoints[1].steps[1], { op = "io", dist = { kind = "const", value = 0.05 } },
    "io step")
  match(s.services[2], { name = "app", workers = 8, host = "vm1", cores = 0 }, "app")
  match(s.services[3], { name = "ps", workers = 2, discipline = "ps", cores = 1.5 }, "ps")
  match(s.services[4], { name = "own", workers = "inf", cores = 2, cpu = "fcfs" }, "own")
end)

good("threads, --set threads=inf", THREADS, function(s)
  eq(s.services[2].workers, "inf", "app.workers")
end, { threads = "inf" })

good("failures of hosts", [[
local vm = host "vm1" { cores = 4 }
local db = service "db" { workers = 2, host = vm, work = 0.01 }
local api = service "api" { workers = 4, host = "vm1", endpoint "get" { call(db, { timeout = 1 }) } }
crash { target = vm, mttf = exp(60), mttr = exp(5), on_down = "silence" }
outage { target = "vm1", at = 10, duration = 2 }
slowdown { target = vm, at = 20, duration = 5, factor = 3 }
crash { target = db, mttf = exp(30), mttr = exp(1) }
client "u" { target = api, arrivals = poisson(1), timeout = 2 }
run { duration = 100 }
]], function(s, p)
  match(s.faults[1], { kind = "crash", host = "vm1", on_down = "silence",
    mttf = { kind = "exp", mean = 60 }, mttr = { kind = "exp", mean = 5 } }, "host crash")
  eq(s.faults[1].service, nil, "host crash: no service")
  eq(s.faults[1].replica, nil, "host crash: no replica")
  at(s.faults[1].where, p, 4, "host crash")
  match(s.faults[2], { kind = "outage", host = "vm1", at = 10, duration = 2 }, "host outage")
  match(s.faults[3], { kind = "slowdown", host = "vm1", factor = 3 }, "host slowdown")
  match(s.faults[4], { kind = "crash", service = "db" }, "service crash")
  eq(s.faults[4].host, nil, "service crash: no host")
end)

for _, g in ipairs(GOOD) do
  local path = g.name:find("CSV") and (tmpdir .. "/scenario.lua") or "tests/inline/good.lua"
  local spec, err = run_scenario(g.src, path, g.overrides, g.unsafe)
  if not spec then
    report(false, "good: " .. g.name, err)
  else
    local ok, e = pcall(g.check, spec, path)
    report(ok, "good: " .. g.name, e)
  end
end
os.execute("rm -rf '" .. tmpdir .. "'")

---------------------------------------------------------------------------------------------
-- Extra error checks that do not need a file each (finish-time and API corner cases).
---------------------------------------------------------------------------------------------

local INLINE_ERRORS = {
  { [[service "s" { work = 0.01 }
client "c" { target = "s", arrivals = poisson(1) }
run { duration = 10 }]], "dessa: --set foo: the scenario has no param 'foo'", { foo = "1" } },
  { [[local x = param("flag", true)]], "p.lua:1: param 'flag': expected a boolean (true/false, yes/no, 1/0), got 'maybe'", { flag = "maybe" } },
  { [[service "s" { work = 1 }]], "p.lua: scenario has no run { ... } block" },
  { [[service "s" { endpoint "e" { } }]], 'p.lua:1: endpoint "e": has no steps' },
  { [[local s = service "s" { work = 1 }
s.name = "t"]], 'p.lua:2: service "s" is read-only' },
  { [[service = 3]], "p.lua:1: assignment to built-in name 'service' (use a local with another name)" },
  { [[local d = exp(1, 2)]], "p.lua:1: exp: expected at most 1 argument, got 2" },
  { [[local d = uniform(2, 1)]], "p.lua:1: uniform: lo must not be greater than hi, got lo = 2, hi = 1" },
  { [[local d = lognormal { median = 1, sd = 2 }]], "p.lua:1: lognormal: give exactly one of { median, p99 }, { mean, sd } or { mu, sigma }" },
  { [[local d = lognormal(1, 2)]], "p.lua:1: lognormal: expected a table, as in lognormal { median = ms(10), p99 = ms(80) }" },
  { [[local d = erlang(2.5, 1)]], "p.lua:1: erlang: k must be a positive integer, got 2.5" },
  { [[local d = mixture { { 0, exp(1) } }]], "p.lua:1: mixture: the weight of entry #1 must be a positive number, got 0" },
  { [[local d = hyperexp { probs = { 0.5, 0.4 }, means = { 1, 2 } }]], "p.lua:1: hyperexp: probs must sum to 1, got 0.9" },
  { [[local d = empirical { 1, -2 }]], "p.lua:1: empirical: value #2 must be a non-negative number, got -2" },
  { [[local s = work("x")]], 'p.lua:1: work: expected a distribution or a non-negative number, got "x"' },
  { [[local s = call(42)]], "p.lua:1: call: the target must be a service, an endpoint (svc.name) or a service name, got 42" },
  { [[local s = call("db", { endpont = "x" })]], "p.lua:1: call: unknown field 'endpont' (did you mean 'endpoint'?)" },
  { [[local s = parallel { }]], "p.lua:1: parallel: has no branches" },
  { [[local s = parallel { work(1), join = "some" }]], 'p.lua:1: parallel: field \'join\' must be one of "all", "any", "quorum", got "some"' },
  { [[service "s" { cores = 2e9, work = 1 }]], 'p.lua:1: service "s": field \'cores\' must be at most 1e9, got 2000000000.0' },
  { [[host "h" { cores = 0 }]], 'p.lua:1: host "h": field \'cores\' must be a positive number, got 0' },
  { [[host "h" { cores = 2, cpu = "fifo" }]], 'p.lua:1: host "h": field \'cpu\' must be one of "ps", "fcfs", got "fifo"' },
  { [[service "s" { discipline = "ps", cpu = "fcfs", cores = 2, work = 1 }]], 'p.lua:1: service "s": discipline = "ps" shares the cores by processor sharing: cpu = "fcfs" does not apply' },
  { [[local h = host "h" { cores = 2 }
service "s" { host = h, cpu = "ps", work = 1 }]], 'p.lua:2: service "s": cpu is set on the host when the service has host = ...' },
  { [[local h = host "h" { cores = 2 }
call(h)]], 'p.lua:2: call: the target must be a service, an endpoint (svc.name) or a service name, got host "h"' },
  { [[local s = parallel { blocking = false, { sleep(1) }, { work(1), io(1) } }]], 'p.lua:1: parallel: work at p.lua:1 would hold no worker in a parallel with blocking = false (the caller\'s worker is released); use sleep(...) for a delay, or call a service that does the work' },
  { [[host "h" { cores = 2 }
service "s" { work = 1 }
client "c" { target = "h", arrivals = poisson(1) }
run { duration = 1 }]], "p.lua:3: client \"c\": target: 'h' is a host, not a service" },
  { [[host "h" { cores = 2 }
service "s" { work = 1 }
client "c" { target = "s", arrivals = poisson(1) }
link { from = "h", to = "s", latency = 1 }
run { duration = 1 }]], "p.lua:4: link: 'h' is a host, not a service or client" },
  { [[service "s" { host = "c", work = 1 }
client "c" { target = "s", arrivals = poisson(1) }
run { duration = 1 }]], "p.lua:1: service \"s\": host: 'c' is a client, not a host" },
  { [[local x = io.open]], "p.lua:1: io.open: the io library is not available in the scenario sandbox (io(d) is the blocking I/O step)" },
  { [[local s = branch { { 1, 42 } }]], "p.lua:1: branch: arm #1: entry #1 must be a step (work, sleep, call, parallel or branch), got 42" },
  { [[local a = arrivals]], "p.lua:1: unknown name 'arrivals'" },
  { [[local s = service "s" { work = 1, { } }]], 'p.lua:1: service "s": entry #1 must be an endpoint "name" { ... }, got a table' },
  { [[run { duration = 10, sample = 20 }]], "p.lua:1: run: sample must not be greater than duration, got sample = 20, duration = 10" },
  { [[link { from = "a", latency = 1 }]], "p.lua:1: link: from and to must be given together" },
  { [[local c = client "c" { target = "s", users = 2, arrivals = poisson(1), foo = 1 }]], "p.lua:1: client \"c\": unknown field 'foo'" },
  { [[service "s" { work = 1 }
client "s" { target = "s", users = 1 }]], 'p.lua:2: client "s": the name "s" is already used by the service defined at p.lua:1' },
  { [[service "a" { endpoint "x" { call("a") } }
run { duration = 1 }]], "p.lua:1: call cycle: a.x -> a.x" },
  { [[service "a" { work = 1 }
client "u" { target = "a", users = 1 }
service "b" { endpoint "x" { call("u") } }
run { duration = 1 }]], "p.lua:3: 'u' is a client, not a service" },
  { [[local t = schedule { { 0, 0 } }]], "p.lua:1: schedule: every rate is zero" },
  { [[local t = normal(-5, 0.1)]], "p.lua:1: normal: mean must be non-negative (or at least -20 sd), got -5" },
}

for i, case in ipairs(INLINE_ERRORS) do
  local src, want, overrides = case[1], case[2], case[3]
  local spec, err = run_scenario(src, "p.lua", overrides)
  local ok = not spec and err == want
  report(ok, "inline error #" .. i .. ": " .. want,
    not ok and ("got: " .. tostring(spec and "no error" or err)) or nil)
end

---------------------------------------------------------------------------------------------
-- 2. The corpus of broken scenarios
---------------------------------------------------------------------------------------------

local function read_file(path)
  local fh = assert(io.open(path, "r"))
  local text = fh:read("a")
  fh:close()
  return text
end

local listing = io.popen("ls tests/errors/*.lua 2>/dev/null")
local files = {}
for line in listing:lines() do files[#files + 1] = line end
listing:close()
table.sort(files)
if #files < 20 then report(false, "tests/errors has at least 20 files", #files .. " found") end

for _, path in ipairs(files) do
  local src = read_file(path)
  local want = src:match("^%-%- expect: ([^\n]*)")
  local overrides = {}
  local set = src:match("^[^\n]*\n%-%- set: ([^\n]*)")
  if set then
    for k, v in set:gmatch("([%w_.-]+)=([^,%s]*)") do overrides[k] = v end
  end
  if not want then
    report(false, path, "first line is not '-- expect: <message>'")
  elseif src:find("\n%-%- only: dessa\n") then
    -- the message comes from the C side (its message handler): checked by tests/errors.sh only
  else
    local spec, err = run_scenario(src, path, overrides)
    local ok = not spec and err == want
    report(ok, path, not ok and ("want: " .. want .. "\n      got:  " ..
      tostring(spec and "no error" or err)) or nil)
  end
end

---------------------------------------------------------------------------------------------
-- 3. Complete examples of docs/lua-api.md
---------------------------------------------------------------------------------------------

local ok_doc, doc = pcall(read_file, "docs/lua-api.md")
if not ok_doc then
  report(false, "docs/lua-api.md exists", doc)
else
  local count = 0
  for block in doc:gmatch("```lua\n(.-)```") do
    local name = block:match("^%-%- example: ([%w_.-]+)")
    if name then
      count = count + 1
      local spec, err = run_scenario(block, "docs/" .. name .. ".lua")
      report(spec ~= nil, "docs example " .. name, err)
    end
  end
  report(count >= 5, "docs/lua-api.md has complete examples", count .. " found")
end

print(string.format("%d passed, %d failed", passed, failed))
os.exit(failed == 0 and 0 or 1)
