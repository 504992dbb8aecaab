--[[
topology: the named parts of a model and the run block: endpoint, host, service, client,
link, run, param.
]]

local need = ...

-- Library functions captured at load time (the scenario may replace the originals).
local fmt = string.format
local huge = math.huge
local ipairs_ = ipairs
local next_ = next
local sfind = string.find
local slower = string.lower
local tonumber_ = tonumber
local tostring_ = tostring
local type_ = type
local _check = need("check")   -- shared helpers (see check.lua)
local C = _check.C
local DATA = _check.DATA
local KIND = _check.KIND
local NAME_RULE = _check.NAME_RULE
local S = _check.S
local check_fields = _check.check_fields
local describe = _check.describe
local did_you_mean = _check.did_you_mean
local fail = _check.fail
local here = _check.here
local is_finite = _check.is_finite
local is_plain_table = _check.is_plain_table
local make_object = _check.make_object
local readonly = _check.readonly
local valid_name = _check.valid_name
local _steps = need("steps")
local to_sequence = _steps.to_sequence
local API = {}

-- Registers a name of the network (services and clients share one namespace).
local function claim_name(name, title, kind, where)
  local prev = S.nodes[name]
  if prev then
    fail(where, '%s: the name "%s" is already used by the %s defined at %s', title, name,
      prev, S.node_where[name])
  end
  S.nodes[name], S.node_where[name] = kind, where   -- two fields, not a table per name
  S.node_names[#S.node_names + 1] = name
end

--[[
Named constructors are curried: service "web" { ... }. The first call checks the name and
returns the function that takes the body; service("web", { ... }) is accepted too. Names whose
body never came are reported by finish().
]]
local function named_ctor(label, body_fn)
  return function(name, body)
    local where = here()
    if type_(name) ~= "string" then
      fail(where, '%s: expected a name string, as in %s "name" { ... }', label, label)
    end
    if not valid_name(name) then
      fail(where, "%s: the name must be %s, got %s", label, NAME_RULE, describe(name))
    end
    -- The token of a constructor waiting for its body, in S.pending until the body comes (then
    -- its slot is false, so a large model keeps no token per component). take_body holds only
    -- the token, one upvalue of its own, since a model makes one closure per component.
    local slot = #S.pending + 1
    local token = { where = where, name = name, slot = slot,
                    title = label .. ' "' .. name .. '"' }   -- fmt('%s "%s"', ...), cheaper
    S.pending[slot] = token
    local function take_body(t)
      local w, title = here(), token.title
      if not is_plain_table(t) then
        fail(w, "%s: expected a table of fields, as in %s { ... }, got %s", title, title,
          describe(t))
      end
      S.pending[token.slot] = false
      return body_fn(token.name, title, w, t)
    end
    if body ~= nil then return take_body(body) end
    return take_body
  end
end

-- The steps written as fields (endpoint "x" { work = exp(1) }) get a hint.
local STEP_FIELDS = { work = true, io = true, sleep = true, call = true, parallel = true,
                      branch = true, steps = true }

local ENDPOINT_SCHEMA = {
  { "error_rate", C.probability },
}

-- endpoint "name" { steps..., error_rate = p }
API.endpoint = named_ctor("endpoint", function(name, title, where, t)
  for k in next_, t do
    if STEP_FIELDS[k] then
      local op = k == "steps" and "work" or k
      fail(where, "%s: unknown field '%s' (steps are written %s(...) in the endpoint's list, "
        .. "as in endpoint \"%s\" { work(exp(ms(5))), call(db) })", title, k, op, name)
    end
  end
  -- The one named field (error_rate); the rest of the table is the list of steps.
  local f, pos, npos = check_fields(title, where, t, ENDPOINT_SCHEMA, { positional = true })
  _check.check_holes(title, where, pos, npos)
  local list = {}
  for i = 1, npos do list[i] = pos[i] end
  local steps = to_sequence(list, title, where, false)
  _steps.check_size(title, where, _steps.list_size(steps))
  return make_object("endpoint", { name = name, where = where, steps = steps,
                                   error_rate = f.error_rate })
end)

local CPU = C.oneof({ "ps", "fcfs" })

-- FCFS hands out whole cores.
local function check_fcfs(title, where, cores, cpu)
  if cpu == "fcfs" and cores and cores ~= cores // 1 then
    fail(where, '%s: cpu = "fcfs" needs a whole number of cores, got cores = %s', title,
      tostring_(cores))
  end
end

local HOST_SCHEMA = {
  { "cores", C.cores, required = true },
  { "cpu", CPU, default = "ps" },
}

-- host "vm1" { cores = 4, cpu = "ps" }: cores shared by the services placed on it.
API.host = named_ctor("host", function(name, title, where, t)
  local f = check_fields(title, where, t, HOST_SCHEMA)
  check_fcfs(title, where, f.cores, f.cpu)
  claim_name(name, title, "host", where)
  local rec = { name = name, where = where, cores = f.cores, cpu = f.cpu }
  S.hosts[#S.hosts + 1] = rec
  S.host_by_name[name] = rec
  return make_object("host", rec)
end)

local SERVICE_SCHEMA = {
  { "workers", C.workers, default = 1 },
  { "queue", C.queue },
  { "discipline", C.oneof({ "fifo", "lifo", "priority", "ps" }), default = "fifo" },
  { "replicas", C.count, default = 1 },
  { "balancer", C.oneof({ "round_robin", "random", "least_outstanding", "power_of_two" }),
    default = "round_robin" },
  { "work", C.dist },
  { "cores", C.cores },
  { "cpu", CPU },
  { "host", C.host },
  { "error_rate", C.probability },
}
for _, rule in ipairs_(need("resilience").GUARD_FIELDS) do   -- rate_limit, shed_queue, ...
  SERVICE_SCHEMA[#SERVICE_SCHEMA + 1] = rule
end

-- Hints for the usual slips in a service (field names from other tools).
local function say_work(v)
  if KIND[v] == "dist" or is_finite(v) then
    return "did you mean work = ...? a service's demand is work = dist, or work(dist) steps in "
      .. "its endpoints"
  end
  return "a service's demand is work = dist, or work(dist) steps in its endpoints"
end
SERVICE_SCHEMA.hints = {
  threads = "did you mean workers? a service's threads are workers = N",
  servers = "did you mean workers? a service's threads are workers = N",
  capacity = 'did you mean queue? the waiting room is queue = N or "unbounded"',
  queue_size = 'did you mean queue? the waiting room is queue = N or "unbounded"',
  max_queue = 'did you mean queue? the waiting room is queue = N or "unbounded"',
  service_time = say_work, latency = say_work, time = say_work, delay = say_work,
  demand = say_work,
  endpoints = 'endpoints are entries of the list: service "s" { endpoint "e" { ... }, ... }',
  cpus = "did you mean cores?",
  timeout = "timeouts are set on the client (client \"c\" { ..., timeout = 2 }) or on a call "
    .. "(call(s, { timeout = ms(50) }))",
}

-- Service handles: h.name is the name, h.<endpoint> an endpoint handle for call/target.
local SERVICE_MT = {
  __index = function(h, k)
    local rec = DATA[h]
    if k == "name" then return rec.name end
    if rec.by_ep[k] then
      return make_object("epref", { service = rec.name, endpoint = k })
    end
    fail(here(), "service \"%s\" has no endpoint %s%s", rec.name,
      type_(k) == "string" and "'" .. k .. "'" or describe(k), did_you_mean(k, rec.ep_names))
  end,
  __newindex = readonly,
  __tostring = function(h) return describe(h) end,
  __metatable = false,
}

API.service = named_ctor("service", function(name, title, where, t)
  local f, pos, npos = check_fields(title, where, t, SERVICE_SCHEMA, { positional = true })
  _check.check_holes(title, where, pos, npos)
  if f.host and f.cores then
    fail(where, "%s: give either cores = ... (its own cores) or host = ... (a shared host's), "
      .. "not both", title)
  end
  if f.host and f.cpu then
    fail(where, "%s: cpu is set on the host when the service has host = ...", title)
  end
  check_fcfs(title, where, f.cores, f.cpu)
  if f.queue == "unbounded" then f.queue = nil end   -- the SPEC's -1
  if f.discipline == "ps" and f.queue then
    fail(where, '%s: discipline = "ps" has no waiting room (every request gets a thread at '
      .. "once): leave queue out", title)
  end
  if f.discipline == "ps" and f.cpu == "fcfs" then
    fail(where, '%s: discipline = "ps" shares the cores by processor sharing: cpu = "fcfs" '
      .. "does not apply", title)
  end
  local endpoints = {}
  for i = 1, npos do
    local e = pos[i]
    if e ~= nil and e ~= false then
      if KIND[e] ~= "endpoint" then
        fail(where, '%s: entry #%d must be an endpoint "name" { ... }, got %s', title, i,
          describe(e))
      end
      endpoints[#endpoints + 1] = DATA[e]
    end
  end
  if f.work then
    if #endpoints > 0 then
      fail(where, "%s: give either work = ... or endpoint entries, not both", title)
    end
    endpoints = { { name = "default", where = where,
                    steps = { { op = "work", dist = f.work, where = where } } } }
  end
  if #endpoints == 0 then
    fail(where, '%s: has no endpoints (give work = ... or endpoint "name" { ... } entries)', title)
  end
  local by_ep, ep_names = {}, {}
  for i, ep in ipairs_(endpoints) do
    if by_ep[ep.name] then
      fail(ep.where, '%s: duplicate endpoint "%s" (first at %s)', title, ep.name,
        by_ep[ep.name].where)
    end
    by_ep[ep.name], ep_names[i] = ep, ep.name
  end
  claim_name(name, title, "service", where)
  local rec = {
    name = name, where = where, workers = f.workers, queue = f.queue or -1,
    discipline = f.discipline, replicas = f.replicas, balancer = f.balancer,
    cores = f.cores or 0, cpu = f.cpu or "ps", host = f.host, error_rate = f.error_rate,
    guard = need("resilience").guard_spec(f),
    endpoints = endpoints, by_ep = by_ep, ep_names = ep_names,
  }
  S.services[#S.services + 1] = rec
  S.service_by_name[name] = rec
  return make_object("service", rec, SERVICE_MT)
end)

local _resilience = need("resilience")
local CLIENT_SCHEMA = {
  { "target", C.target, required = true },
  { "endpoint", C.name },
  { "arrivals", C.arrivals },
  { "users", C.users },
  { "think", C.dist },
  { "timeout", C.timeout },
  { "limit", C.pos_int },
  { "priority", C.int, default = 0 },
  { "start", C.nonneg_num, default = 0 },
}

-- Hints for the usual slips in a client: a rate is an arrival process, a population is users.
local function say_rate(v)
  if is_finite(v) and v > 0 then
    return fmt("did you mean arrivals = poisson(%s)?", describe(v))
  end
  return "an open workload is written arrivals = poisson(rate)"
end
local function say_users(v)
  return fmt("did you mean users = %s? a closed workload is users = N with think = dist",
    is_finite(v) and describe(v) or "N")
end
CLIENT_SCHEMA.hints = {
  rate = say_rate, lambda = say_rate, rps = say_rate, qps = say_rate, arrival_rate = say_rate,
  interarrival = "arrivals = poisson(rate) takes a rate: 1 / the mean interarrival time",
  population = say_users, concurrency = say_users, clients = say_users, n = say_users,
  think_time = "did you mean think = dist?",
  service = "did you mean target = ...?", to = "did you mean target = ...?",
  queue = "the waiting room is the service's: service \"s\" { ..., queue = N }",
}

CLIENT_SCHEMA = _resilience.with_retry(CLIENT_SCHEMA)

API.client = named_ctor("client", function(name, title, where, t)
  local f = check_fields(title, where, t, CLIENT_SCHEMA)
  local target = f.target
  if f.endpoint then
    if target.endpoint and target.endpoint ~= f.endpoint then
      fail(where, "%s: the endpoint is given twice ('%s' and '%s')", title, target.endpoint,
        f.endpoint)
    end
    target.endpoint = f.endpoint
  end
  if f.arrivals and f.users then
    fail(where, "%s: give either arrivals = ... (open) or users = N (closed), not both", title)
  elseif not f.arrivals and not f.users then
    fail(where, "%s: needs arrivals = ... (open workload) or users = N (closed workload)", title)
  end
  if f.arrivals and f.think then
    fail(where, "%s: think is only for closed clients (users = N)", title)
  end
  claim_name(name, title, "client", where)
  local rec = {
    name = name, where = where, target = target,
    kind = f.arrivals and "open" or "closed",
    arrivals = f.arrivals, users = f.users,
    think = f.users and (f.think or { kind = "const", value = 0, where = where }) or nil,
    timeout = f.timeout ~= "none" and f.timeout or nil,
    limit = f.limit, priority = f.priority, start = f.start,
    retry = _resilience.retry_spec(f),
  }
  S.clients[#S.clients + 1] = rec
  return make_object("client", rec)
end)

-- Brokers: queue "name" { ... } (one group of competing consumers) and topic "name" { ... }
-- (every group gets every message). S.brokers is made on first use.
local BROKER_SCHEMA = {
  { "capacity", C.pos_int },
  { "on_full", C.oneof({ "drop_new", "drop_oldest", "block" }), default = "drop_new" },
  { "workers", C.workers, default = "inf" },
  { "publish_cost", C.dist },
  { "delivery", C.oneof({ "at_least_once", "at_most_once" }) },   -- its subscriptions' default
  -- a partitioned topic (a log)
  { "partitions", C.count },
  { "retention", C.pos_num },
  { "retention_size", C.count },
  { "rebalance_pause", C.dist },
  { "assignment", C.oneof({ "range", "round_robin" }) },
  -- an outage or crash keeps its buffers (true) or loses them
  { "durable", C.bool, default = true },
}
BROKER_SCHEMA.hints = {
  persistent = "did you mean durable? (true or false)",
  partition = "did you mean partitions?",
  retention_time = "did you mean retention? (seconds)",
  retention_bytes = "did you mean retention_size? (messages per partition)",
  rebalance = "did you mean rebalance_pause?",
}
local MAX_PARTITIONS = 1000000

local function broker_ctor(kind)
  return named_ctor(kind, function(name, title, where, t)
    local f = check_fields(title, where, t, BROKER_SCHEMA)
    if f.on_full ~= "drop_new" and not f.capacity then
      fail(where, '%s: on_full = "%s" needs a capacity (the broker is unbounded without one)',
        title, f.on_full)
    end
    if f.partitions and kind == "queue" then
      fail(where, '%s: partitions are for a topic (a queue is one buffer of competing '
        .. 'consumers): write topic "%s" { partitions = %d }', title, name, f.partitions)
    end
    if f.partitions and f.partitions > MAX_PARTITIONS then
      fail(where, "%s: partitions must be at most %d, got %d", title, MAX_PARTITIONS, f.partitions)
    end
    if f.partitions and (f.capacity or f.on_full ~= "drop_new") then
      fail(where, "%s: a topic with partitions is a log: it keeps messages by retention "
        .. "(retention = seconds, retention_size = messages per partition), not by capacity "
        .. "or on_full", title)
    end
    if not f.partitions then
      for _, k in ipairs_({ "retention", "retention_size", "rebalance_pause", "assignment" }) do
        if f[k] ~= nil then
          fail(where, "%s: %s is for a topic with partitions (partitions = P)", title, k)
        end
      end
    end
    if f.workers ~= "inf" and not f.publish_cost then
      fail(where, "%s: workers = %s limits nothing without a publish_cost", title,
        tostring_(f.workers))
    end
    claim_name(name, title, kind, where)
    S.brokers = S.brokers or {}
    S.broker_by_name = S.broker_by_name or {}
    local rec = { name = name, kind = kind, where = where, capacity = f.capacity or -1,
                  on_full = f.on_full, workers = f.workers, publish_cost = f.publish_cost,
                  delivery = f.delivery, subs = {},
                  partitions = f.partitions, retention = f.retention,
                  retention_size = f.retention_size, rebalance_pause = f.rebalance_pause,
                  assignment = f.assignment, durable = f.durable }
    S.brokers[#S.brokers + 1] = rec
    S.broker_by_name[name] = rec
    return make_object("broker", rec)
  end)
end
API.queue = broker_ctor("queue")
API.topic = broker_ctor("topic")

local SUBSCRIBE_SCHEMA = {
  { "group", C.name },
  { "consumers", C.count, default = 1 },
  { "endpoint", C.name },
  { "prefetch", C.count },
  { "delivery", C.oneof({ "at_least_once", "at_most_once" }) },
  { "visibility_timeout", C.pos_num },
  { "max_deliveries", C.count },
  { "dead_letter", C.broker },
  { "idempotent", C.bool, default = false },
  { "dedupe_window", C.pos_num },
  { "start", C.nonneg_num },
  { "offset", C.oneof({ "earliest", "latest" }) },
  { "leave", { desc = "{ at = seconds, duration = seconds } (math.huge: for good)",
    fn = function(v)
      if not is_plain_table(v) then return false end
      local at, d = v.at, v.duration
      for k in next_, v do
        if k ~= "at" and k ~= "duration" then
          return false, "{ at = t, duration = d } (no field '" .. tostring_(k) .. "')"
        end
      end
      if type_(at) ~= "number" or not (at >= 0 and at < 1e10) then
        return false, "{ at = t, duration = d } with at a non-negative number of seconds "
          .. "below 1e10"
      end
      if type_(d) ~= "number" or not (d > 0) then
        return false, "{ at = t, duration = d } with duration a positive number of seconds "
          .. "(math.huge: for good)"
      end
      return true, { at = at, duration = d }
    end } },
}
SUBSCRIBE_SCHEMA.hints = {
  ack = 'acknowledgements follow delivery = "at_least_once" (after processing) or '
    .. '"at_most_once" (on receipt)',
  dlq = "did you mean dead_letter = broker?", dead_letter_queue = "did you mean dead_letter?",
  max_retries = "did you mean max_deliveries? (deliveries, the first one included)",
  max_receives = "did you mean max_deliveries?",
  visibility = "did you mean visibility_timeout?",
}

-- The default window of an idempotent consumer's memory (seconds).
local DEDUPE_WINDOW = 300

-- subscribe(broker, service, { group =, consumers =, endpoint =, prefetch = })
function API.subscribe(broker, service, opts)
  local where = here()
  if KIND[broker] ~= "broker" then
    fail(where, 'subscribe: the first argument must be a queue or a topic (the value of '
      .. 'queue "name" { ... }), got %s', describe(broker))
  end
  if service == nil then
    fail(where, "subscribe: the service is nil (for a service defined further down, use its "
      .. 'name: subscribe(q, "worker"))')
  end
  local ok, tgt = C.target.fn(service)
  if not ok then
    fail(where, "subscribe: the service must be %s, got %s", C.target.desc, describe(service))
  end
  if opts ~= nil and not is_plain_table(opts) then
    fail(where, "subscribe: options must be a table, as in subscribe(q, worker, "
      .. "{ consumers = 4 }), got %s", describe(opts))
  end
  local f = check_fields("subscribe", where, opts or {}, SUBSCRIBE_SCHEMA)
  local rec = DATA[broker]
  f.delivery = f.delivery or rec.delivery or "at_least_once"
  if f.group and rec.kind == "queue" then
    fail(where, 'subscribe: queue "%s" has one group of competing consumers; group is for topics',
      rec.name)
  end
  if f.endpoint then
    if tgt.endpoint and tgt.endpoint ~= f.endpoint then
      fail(where, "subscribe: the endpoint is given twice ('%s' and '%s')", tgt.endpoint,
        f.endpoint)
    end
    tgt.endpoint = f.endpoint
  end
  if (f.start or f.offset) and rec.kind == "queue" then
    fail(where, 'subscribe: queue "%s" keeps its messages until they are consumed: start and '
      .. "offset are for topics", rec.name)
  end
  if f.leave and not rec.partitions then
    fail(where, 'subscribe: leave: %s "%s" has no partitions (a consumer leaving makes a '
      .. "group of a topic with partitions rebalance)", rec.kind, rec.name)
  end
  if f.prefetch and rec.partitions then
    fail(where, 'subscribe: topic "%s" has partitions: each consumer takes one message of its '
      .. "partitions at a time, in order, so prefetch does not apply", rec.name)
  end
  if f.start and f.start >= 1e10 then
    fail(where, "subscribe: start must be below 1e10 s, got %s", tostring_(f.start))
  end
  local gname = f.group or (tgt.service)
  for _, o in ipairs_(rec.subs) do
    local og = o.group or o.target.service
    if og == gname and ((o.start or 0) ~= (f.start or 0) or (o.offset or "latest")
        ~= (f.offset or "latest")) then
      fail(where, "subscribe: group '%s' of %s \"%s\" starts at %s from the %s offset (%s), "
        .. "here at %s from the %s: every subscription of a group starts alike", gname, rec.kind,
        rec.name, tostring_(o.start or 0), o.offset or "latest", o.where, tostring_(f.start or 0),
        f.offset or "latest")
    end
  end
  local prefetch = f.prefetch or f.consumers
  if prefetch < f.consumers then
    fail(where, "subscribe: prefetch (%d) must be at least consumers (%d): each consumer "
      .. "needs a message delivered to work on", prefetch, f.consumers)
  end
  if f.delivery == "at_most_once" then
    for _, k in ipairs_({ "visibility_timeout", "max_deliveries", "idempotent" }) do
      if f[k] then
        fail(where, 'subscribe: %s does not apply to delivery = "at_most_once" (acknowledged '
          .. "on receipt, a message is never redelivered)", k)
      end
    end
  end
  if f.dead_letter and not f.max_deliveries then
    fail(where, "subscribe: dead_letter needs max_deliveries = n (the deliveries after which a "
      .. "message goes there)")
  end
  if f.dead_letter == rec.name then
    fail(where, 'subscribe: dead_letter must be another queue or topic than %s "%s"', rec.kind,
      rec.name)
  end
  if f.dedupe_window and not f.idempotent then
    fail(where, "subscribe: dedupe_window is the memory of an idempotent consumer: give "
      .. "idempotent = true")
  end
  rec.subs[#rec.subs + 1] = { target = tgt, group = f.group, consumers = f.consumers,
                              prefetch = prefetch, delivery = f.delivery,
                              visibility_timeout = f.visibility_timeout,
                              max_deliveries = f.max_deliveries, dead_letter = f.dead_letter,
                              idempotent = f.idempotent,
                              dedupe_window = f.dedupe_window or DEDUPE_WINDOW,
                              start = f.start, offset = f.offset,
                              leave_at = f.leave and f.leave.at,
                              leave_for = f.leave and f.leave.duration, where = where }
end

local LINK_SCHEMA = {
  { "from", C.node },
  { "to", C.node },
  { "latency", C.dist },
  { "loss", C.probability },
}

-- link { latency = d } (the default for every hop) or link { from = a, to = b, latency = d,
-- loss = p } (loss: the probability that a request or reply crossing is lost).
function API.link(t)
  local where = here()
  if not is_plain_table(t) then
    fail(where, "link: expected a table, as in link { latency = ms(1) }, got %s", describe(t))
  end
  local f = check_fields("link", where, t, LINK_SCHEMA)
  if (f.from == nil) ~= (f.to == nil) then
    fail(where, "link: from and to must be given together")
  end
  if f.from == nil then
    if f.loss ~= nil then
      fail(where, "link: loss is given for one pair, as in link { from = a, to = b, loss = 0.01 }")
    end
    if f.latency == nil then
      fail(where, "link: missing field 'latency' (a distribution or a non-negative number)")
    end
    if S.link then
      fail(where, "link: the default link is already set at %s (give from/to for one pair)",
        S.link.where)
    end
    S.link = { latency = f.latency, where = where }
  else
    if f.from == f.to then fail(where, "link: from and to are the same ('%s')", f.from) end
    if f.latency == nil and f.loss == nil then
      fail(where, "link: missing field 'latency' (a distribution or a non-negative number), "
        .. "or 'loss'")
    end
    S.links[#S.links + 1] = { from = f.from, to = f.to, latency = f.latency, loss = f.loss,
                              where = where }
  end
end

-- Limits of the run block: the engine keeps every time-series row in memory, and times
-- beyond 1e10 s lose the precision of short delays.
local MAX_DURATION = 1e10
local MAX_ROWS = 1e8

local RUN_SCHEMA = {
  { "duration", C.pos_num, required = true },
  { "warmup", C.nonneg_num, default = 0 },
  { "sample", C.pos_num },
  { "seed", C.nonneg_int },
}
-- What belongs on the command line, and names from other tools.
local function say_cli(option)
  return function(v)
    return fmt("%s is given on the command line: dessa run SCENARIO %s %s", option, option,
      is_finite(v) and describe(v) or "N")
  end
end
RUN_SCHEMA.hints = {
  reps = say_cli("--reps"), replications = say_cli("--reps"), jobs = say_cli("-j"),
  time = "did you mean duration?", ["until"] = "did you mean duration?",
  warm_up = "did you mean warmup?", interval = "did you mean sample?",
}

function API.run(t)
  local where = here()
  if not is_plain_table(t) then
    fail(where, "run: expected a table, as in run { duration = 3600 }, got %s", describe(t))
  end
  if S.run then fail(where, "run: the scenario already has a run block at %s", S.run.where) end
  local f = check_fields("run", where, t, RUN_SCHEMA)
  if f.warmup >= f.duration then
    fail(where, "run: warmup must be less than duration, got warmup = %s, duration = %s",
      tostring_(f.warmup), tostring_(f.duration))
  end
  if f.duration > MAX_DURATION then
    fail(where, "run: duration must be at most 1e10 s (about 317 years), got %s",
      tostring_(f.duration))
  end
  local sample = f.sample or f.duration / 60
  if sample == 0 then
    fail(where, "run: duration = %s is too small: the sample interval (duration / 60) "
      .. "underflows to 0", tostring_(f.duration))
  end
  if f.duration / sample > MAX_ROWS then
    fail(where, "run: duration / sample = %.3g time-series rows per client and service "
      .. "(at most 1e8); use a larger sample", f.duration / sample)
  end
  if sample > f.duration then
    fail(where, "run: sample must not be greater than duration, got sample = %s, duration = %s",
      tostring_(sample), tostring_(f.duration))
  end
  S.run = { duration = f.duration, warmup = f.warmup, sample = sample, seed = f.seed,
            where = where }
end

-- Conversions of --set strings to the type of a param's default.
local BOOLEAN_WORDS = { ["true"] = true, ["1"] = true, yes = true,
                        ["false"] = false, ["0"] = false, no = false }

local PARAM_CONVERT = {
  number = function(s)
    local word = slower(s)
    -- workers=inf, queue=unbounded, timeout=none: "no limit" is math.huge
    if _check.no_limit(word) then return true, huge end
    local v = not sfind(s, "[xX]") and tonumber_(s)   -- decimal only: no hexadecimal
    if is_finite(v) then return true, v end
    return false, "a number"
  end,
  boolean = function(s)
    local v = BOOLEAN_WORDS[slower(s)]
    if v ~= nil then return true, v end
    return false, "a boolean (true/false, yes/no, 1/0)"
  end,
  string = function(s) return true, s end,
}

-- param(name, default): the --set override converted to the default's type, else the default.
function API.param(name, default)
  local where = here()
  if not valid_name(name) then
    fail(where, 'param: expected a name string, as in param("threads", 4), got %s', describe(name))
  end
  local convert = PARAM_CONVERT[type_(default)]
  if not convert then
    fail(where, "param '%s': the default must be a number, a boolean or a string, got %s", name,
      describe(default))
  end
  local value = default
  local raw = S.overrides[name]
  if raw ~= nil then
    local ok, v = convert(raw)
    if not ok then
      fail(where, "param '%s': expected %s, got '%s'", name, v, raw)
    end
    value = v
  end
  local prev = S.param_by_name[name]
  if prev then
    -- NaN ~= NaN: the same NaN default given twice is the same default.
    if prev.default ~= default and not (prev.default ~= prev.default and default ~= default) then
      fail(where, "param '%s': already declared with default %s at %s", name,
        describe(prev.default), prev.where)
    end
  else
    local p = { name = name, default = default, value = value, where = where }
    S.params[#S.params + 1] = p
    S.param_by_name[name] = p
  end
  return value
end

-- Converts a --set string to the type of param p's default: ok, value (or ok = false and what
-- was expected).
local function convert_param(p, text)
  return PARAM_CONVERT[type_(p.default)](text)
end

return {
  API = API,
  convert_param = convert_param,
}
