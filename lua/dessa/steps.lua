--[[
steps: the steps of an endpoint program: work, sleep, call, parallel, branch.
]]

local need = ...

-- Library functions captured at load time (the scenario may replace the originals).
local fmt = string.format
local mabs = math.abs
local select_ = select
local type_ = type
local tostring_ = tostring
local sum = need("dist").sum
local ipairs_ = ipairs
local _check = need("check")   -- shared helpers (see check.lua)
local MAX_DEPTH = _check.MAX_DEPTH
local C = _check.C
local DATA = _check.DATA
local KIND = _check.KIND
local check_fields = _check.check_fields
local check_holes = _check.check_holes
local MAX_EXPANDED = _check.MAX_EXPANDED
local describe = _check.describe
local fail = _check.fail
local here = _check.here
local is_finite = _check.is_finite
local is_plain_table = _check.is_plain_table
local make_object = _check.make_object
local API = {}

-- Steps given as a single step or a plain list of steps (false entries skipped): returns the
-- list of step records.
local function to_sequence(v, label, where, allow_empty)
  if KIND[v] == "step" then return { DATA[v] } end
  if not is_plain_table(v) then
    fail(where, "%s: expected a step or a list of steps, got %s", label, describe(v))
  end
  local _, pos, npos = check_fields(label, where, v, {}, { positional = true })
  check_holes(label, where, pos, npos)
  local steps = {}
  for i = 1, npos do
    local s = pos[i]
    if s ~= nil and s ~= false then
      if KIND[s] ~= "step" then
        fail(where, "%s: entry #%d must be a step (work, sleep, call, parallel or branch), got %s",
          label, i, describe(s))
      end
      steps[#steps + 1] = DATA[s]
    end
  end
  if #steps == 0 and not allow_empty then fail(where, "%s: has no steps", label) end
  return steps
end

-- The scenario API: every function here becomes a global of the sandbox.


-- Steps carry their nesting depth (1 for a plain step) so that deep nesting is refused where
-- it is written, before the recursive passes of finish() and of the C reader.
local function step(data)
  if data.depth == nil then data.depth = 1 end
  if data.size == nil then data.size = 1 end
  return make_object("step", data)
end

-- Expanded size of a list of steps, and of lists of lists (each use counted).
local function list_size(list)
  local n = 0
  for _, s in ipairs_(list) do n = n + s.size end
  return n
end

local function check_size(label, where, n)
  if n > MAX_EXPANDED then
    fail(where, "%s: too large once expanded (%.0f steps and distributions, at most %d per "
      .. "endpoint; a step or list used several times counts once per use)", label, n,
      MAX_EXPANDED)
  end
  return n
end

local function lists_size(label, where, lists)
  local n = 1
  for _, list in ipairs_(lists) do n = n + list_size(list) end
  return check_size(label, where, n)
end

local function max_depth(lists)
  local d = 0
  for _, list in ipairs_(lists) do
    for _, s in ipairs_(list) do if s.depth > d then d = s.depth end end
  end
  return d
end

local function check_depth(label, where, lists)
  local d = max_depth(lists) + 1
  if d > MAX_DEPTH then
    fail(where, "%s: steps nested too deeply (more than %d levels)", label, MAX_DEPTH)
  end
  return d
end

-- Where a reply() step is inside the lists, or nil. Each step carries reply_at (its own, or the
-- first of the steps nested in it), so this looks at the lists' direct entries only: shared
-- sub-lists are not walked again for every use.
local function reply_in(lists)
  for _, list in ipairs_(lists) do
    for _, st in ipairs_(list) do
      if st.reply_at then return st.reply_at end
    end
  end
  return nil
end

-- The first work or io step anywhere inside the lists (nested parallels and branches included).
local function find_work(lists)
  for _, list in ipairs_(lists) do
    for _, s in ipairs_(list) do
      if s.op == "work" or s.op == "io" then return s end
      local found = (s.op == "parallel" and find_work(s.branches))
        or (s.op == "branch" and find_work(s.arms))
        or ((s.op == "call" or s.op == "request") and s.fallback and find_work({ s.fallback }))
      if found then return found end
    end
  end
  return nil
end

-- work(dist), io(dist) and sleep(dist): CPU demand (holds the thread and needs a core),
-- blocking I/O (holds the thread, no core) or a delay that releases the thread.
local function dist_step(op)
  return function(...)
    local where = here()
    if select_("#", ...) ~= 1 then
      fail(where, "%s: expected one distribution, as in %s(ms(5))", op, op)
    end
    local ok, d = C.dist.fn((...), { where = where })
    if not ok then fail(where, "%s: expected %s, got %s", op, d or C.dist.desc,
      describe((...))) end
    return step({ op = op, dist = d, where = where, size = d.size or 1 })
  end
end
API.work, API.sleep, API.io = dist_step("work"), dist_step("sleep"), dist_step("io")

local _resilience = need("resilience")
-- A call's fallback: steps that run in its place when it fails (work, sleep and io only).
local FALLBACK = { desc = "a step or a list of steps (work, sleep or io)", fn = function(v, ctx)
  local list = to_sequence(v, "call: fallback", ctx.where)
  for i, st in ipairs_(list) do
    if st.op ~= "work" and st.op ~= "sleep" and st.op ~= "io" then
      return false, fmt("work, sleep or io steps (entry #%d is a %s step)", i, st.op)
    end
  end
  return true, list
end }
local CALL_SCHEMA = _resilience.with_retry({
  { "endpoint", C.name },
  { "blocking", C.bool, default = true },
  { "timeout", C.timeout },
  { "fallback", FALLBACK },
}, true)

function API.call(target, opts)
  local where = here()
  if target == nil then
    fail(where, 'call: the target is nil (for a service defined further down, use its name: call("db"))')
  end
  local ok, tgt = C.target.fn(target)
  if not ok then fail(where, "call: the target must be %s, got %s", C.target.desc, describe(target)) end
  if opts ~= nil and not is_plain_table(opts) then
    fail(where, 'call: options must be a table, as in call(db, { endpoint = "query" }), got %s',
      describe(opts))
  end
  local o = check_fields("call", where, opts or {}, CALL_SCHEMA)
  if o.endpoint then
    if tgt.endpoint and tgt.endpoint ~= o.endpoint then
      fail(where, "call: the endpoint is given twice ('%s' and '%s')", tgt.endpoint, o.endpoint)
    end
    tgt.endpoint = o.endpoint
  end
  local timeout = o.timeout ~= "none" and o.timeout or nil
  return step({ op = "call", target = tgt, blocking = o.blocking, where = where,
                timeout = timeout, retry = _resilience.retry_spec(o),
                breaker = _resilience.breaker_spec(o), bulkhead = _resilience.bulkhead_spec(o),
                fallback = o.fallback,
                size = o.fallback and 1 + list_size(o.fallback) or 1 })
end

-- keys(n, { zipf = s } | { hot = p }): a key drawn for each publish among n keys: uniformly,
-- Zipf-distributed (key i with weight i^-s), or the first key with probability p and the others
-- uniformly (a hot key).
local KEYS_MAX = 10000000
local KEYS_SCHEMA = {
  { "zipf", C.pos_num },
  { "hot", { desc = "a probability between 0 and 1", fn = function(v)
    if type_(v) == "number" and v >= 0 and v <= 1 then return true, v end
    return false
  end } },
}
function API.keys(n, opts)
  local where = here()
  if math.type(n) ~= "integer" and not (type_(n) == "number" and n == math.floor(n)) then
    fail(where, "keys: expected the number of keys (an integer between 1 and %d), as in "
      .. "keys(1000), got %s", KEYS_MAX, describe(n))
  end
  if n < 1 or n > KEYS_MAX then
    fail(where, "keys: the number of keys must be between 1 and %d, got %s", KEYS_MAX,
      tostring_(n))
  end
  if opts ~= nil and not is_plain_table(opts) then
    fail(where, "keys: options must be a table, as in keys(1000, { zipf = 1.1 }), got %s",
      describe(opts))
  end
  local o = check_fields("keys", where, opts or {}, KEYS_SCHEMA)
  if o.zipf and o.hot then
    fail(where, "keys: zipf and hot are two different laws: give one")
  end
  if o.zipf and o.zipf > 1000 then
    fail(where, "keys: zipf must be at most 1000, got %s", tostring_(o.zipf))
  end
  local kind = o.zipf and "zipf" or (o.hot and "hot") or "uniform"
  return make_object("keys", { kind = kind, n = math.tointeger(n), s = o.zipf or o.hot,
                               where = where })
end

-- A constant key's 64-bit number: an integer as is, a string's FNV-1a hash.
local function key_value(k)
  if math.type(k) == "integer" then return k end
  local h = -3750763034362895579   -- 0xcbf29ce484222325
  for i = 1, #k do h = (h ~ k:byte(i)) * 1099511628211 end
  return h
end

local KEY = { desc = 'a key: a string, an integer, or keys(n) (a key drawn per message)',
  fn = function(v)
    if KIND[v] == "keys" then return true, DATA[v] end
    if (type_(v) == "string" and v ~= "") or math.type(v) == "integer" then
      return true, { kind = "const", value = key_value(v) }
    end
    return false
  end }

local PUBLISH_SCHEMA = {
  { "ack", C.bool, default = false },
  { "key", KEY },
  { "timeout", C.pos_num },   -- for the broker's acknowledgement
}

-- publish(broker, { ack = true, timeout = t }): a message to a queue or topic; with ack the
-- producer waits (holding its thread) for the broker's acknowledgement, at most t seconds.
function API.publish(broker, opts)
  local where = here()
  local name
  if KIND[broker] == "broker" then
    name = DATA[broker].name
  elseif type_(broker) == "string" and broker ~= "" then
    name = broker
  else
    fail(where, 'publish: expected a queue or a topic (or its name), as in publish(jobs), got %s',
      describe(broker))
  end
  if opts ~= nil and not is_plain_table(opts) then
    fail(where, "publish: options must be a table, as in publish(jobs, { ack = true }), got %s",
      describe(opts))
  end
  local o = check_fields("publish", where, opts or {}, PUBLISH_SCHEMA)
  local key = o.key
  if key then
    key = { kind = key.kind, value = key.value, n = key.n, s = key.s, where = where }
  end
  return step({ op = "publish", broker = name, ack = o.ack, key = key, timeout = o.timeout,
                where = where })
end

-- reply(): answers the caller now; the endpoint goes on with its remaining steps.
function API.reply(...)
  local where = here()
  if select_("#", ...) ~= 0 then fail(where, "reply: takes no arguments, as in reply()") end
  return step({ op = "reply", where = where, reply_at = where })
end

local REQUEST_SCHEMA = {
  { "reply_to", C.broker },
  { "timeout", C.timeout },
  { "blocking", C.bool, default = true },
  { "fallback", FALLBACK },
}
REQUEST_SCHEMA.hints = {
  reply_queue = "did you mean reply_to?", reply = "did you mean reply_to?",
  key = "a request goes to a queue (no partitions): it takes no key",
  retries = "a request is sent once; a fallback handles its timeout",
}

-- request(queue, { reply_to = replies, timeout = t, blocking = true }): a request message to a
-- queue; the caller waits (holding its thread, or not with blocking = false) for the reply of
-- the consumer that processes it, at most timeout seconds.
function API.request(broker, opts)
  local where = here()
  local name
  if broker == nil then
    fail(where, 'request: the queue is nil (for a queue defined further down, use its name: '
      .. 'request("price_requests"))')
  end
  if KIND[broker] == "broker" then
    name = DATA[broker].name
  elseif type_(broker) == "string" and broker ~= "" then
    name = broker
  else
    fail(where, 'request: expected a queue (or its name), as in request(pricing_requests, '
      .. '{ timeout = 1 }), got %s', describe(broker))
  end
  if opts ~= nil and not is_plain_table(opts) then
    fail(where, "request: options must be a table, as in request(q, { timeout = 1 }), got %s",
      describe(opts))
  end
  local o = check_fields("request", where, opts or {}, REQUEST_SCHEMA)
  if o.reply_to == name then
    fail(where, 'request: reply_to is the request\'s own queue "%s"; replies need a queue of '
      .. "their own (or leave reply_to out: the reply comes straight back)", name)
  end
  return step({ op = "request", broker = name, reply_to = o.reply_to, blocking = o.blocking,
                timeout = o.timeout ~= "none" and o.timeout or nil, fallback = o.fallback,
                where = where, size = o.fallback and 1 + list_size(o.fallback) or 1 })
end

local PARALLEL_SCHEMA = {
  { "join", C.oneof({ "all", "any", "quorum" }) },
  { "quorum", C.pos_int },
  { "blocking", C.bool, default = true },
}

function API.parallel(t)
  local where = here()
  if not is_plain_table(t) then
    fail(where, "parallel: expected a table, as in parallel { call(a), call(b) }, got %s",
      describe(t))
  end
  local f, pos, npos = check_fields("parallel", where, t, PARALLEL_SCHEMA, { positional = true })
  check_holes("parallel", where, pos, npos)
  local branches = {}
  for i = 1, npos do
    local e = pos[i]
    if e ~= nil and e ~= false then
      branches[#branches + 1] = to_sequence(e, fmt("parallel: branch #%d", i), where)
    end
  end
  local n = #branches
  if n == 0 then fail(where, "parallel: has no branches") end
  local join, quorum = f.join, f.quorum
  if quorum then
    if join and join ~= "quorum" then
      fail(where, 'parallel: quorum = %d conflicts with join = "%s" (leave join out)', quorum, join)
    end
    if quorum > n then
      fail(where, "parallel: quorum must be between 1 and %d (the number of branches), got %d",
        n, quorum)
    end
    join = "quorum"
  elseif join == "quorum" then
    fail(where, 'parallel: join = "quorum" needs quorum = k')
  else
    join = join or "all"
    quorum = (join == "all") and n or 1
  end
  local depth = check_depth("parallel", where, branches)
  local rp = reply_in(branches)
  if rp then
    fail(where, "parallel: reply() at %s is inside a parallel; only the endpoint's own steps "
      .. "can answer its caller", rp)
  end
  if f.blocking == false then
    local w = find_work(branches)
    if w then
      fail(where, "parallel: %s at %s would hold no worker in a parallel with blocking = false "
        .. "(the caller's worker is released); use sleep(...) for a delay, or call a service "
        .. "that does the work", w.op, w.where)
    end
  end
  return step({ op = "parallel", branches = branches, join = join, quorum = quorum, depth = depth,
                blocking = f.blocking, where = where,
                size = lists_size("parallel", where, branches) })
end

-- branch { { p, step_or_sequence }, ... } also accepts { p, step, step, ... } and an empty
-- arm { p } (do nothing with probability p).
function API.branch(t)
  local where = here()
  if not is_plain_table(t) then
    fail(where, "branch: expected a table, as in branch { { 0.9, call(a) }, { 0.1, call(b) } }, got %s",
      describe(t))
  end
  local _, pos, npos = check_fields("branch", where, t, {}, { positional = true })
  check_holes("branch", where, pos, npos)
  local probs, arms = {}, {}
  for i = 1, npos do
    local e = pos[i]
    if e ~= nil and e ~= false then
      local label = fmt("branch: arm #%d", i)
      if not is_plain_table(e) then
        fail(where, "%s must be { probability, steps... }, got %s", label, describe(e))
      end
      local _, apos, an = check_fields(label, where, e, {}, { positional = true })
      check_holes(label, where, apos, an)
      local p = apos[1]
      if not (is_finite(p) and p > 0) then
        fail(where, "%s: the probability must be a positive number, got %s", label, describe(p))
      end
      local arm
      if an == 2 and is_plain_table(apos[2]) then
        arm = to_sequence(apos[2], label, where, true)
      else
        local rest = {}
        for j = 2, an do rest[j - 1] = apos[j] end
        arm = to_sequence(rest, label, where, true)
      end
      probs[#probs + 1], arms[#arms + 1] = p, arm
    end
  end
  if #probs == 0 then fail(where, "branch: has no arms") end
  local total = sum(probs)
  if mabs(total - 1) > 1e-9 then
    fail(where, "branch: probabilities must sum to 1, got %s", tostring_(total))
  end
  return step({ op = "branch", probs = probs, arms = arms, where = where,
                reply_at = reply_in(arms),
                depth = check_depth("branch", where, arms),
                size = lists_size("branch", where, arms) })
end

return {
  API = API,
  to_sequence = to_sequence,
  list_size = list_size,
  check_size = check_size,
}
