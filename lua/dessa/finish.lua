--[[
finish: whole-model checks once the scenario has run (pending bodies, --set names, the
run block, names of calls, clients and links, call cycles) and the SPEC table for the C side.
]]

local need = ...

-- Library functions captured at load time (the scenario may replace the originals).
local concat = table.concat
local fmt = string.format
local ipairs_ = ipairs
local pairs_ = pairs
local sort = table.sort
local type_ = type
local tostring_ = tostring
local _check = need("check")   -- shared helpers (see check.lua)
local warn = _check.warn
local S = _check.S
local copy_table = _check.copy_table
local did_you_mean = _check.did_you_mean
local fail = _check.fail
local convert_param = need("topology").convert_param
local sweep_points = need("sweep").points

-- Deep copy of a distribution record into a plain SPEC table.
local function dist_spec(d)
  local out = {}
  for k, v in pairs_(d) do
    if k == "depth" or k == "size" then   -- the prelude's own bookkeeping, not in the SPEC
    elseif k == "parts" then
      out.parts = {}
      for i, p in ipairs_(v) do out.parts[i] = dist_spec(p) end
    elseif type_(v) == "table" then
      out[k] = copy_table(v)
    else
      out[k] = v
    end
  end
  return out
end

local function arrivals_spec(a)
  local out = { kind = a.kind, where = a.where }
  if a.kind == "schedule" then
    out.times, out.rates = copy_table(a.times), copy_table(a.rates)
  else
    out.rate = a.rate
  end
  if a.kind == "bursty" then out.on, out.off = dist_spec(a.on), dist_spec(a.off) end
  return out
end

-- Resolves a call or client target to (service name, endpoint name), raising on unknown names.
-- The messages start with prefix, or with fmt(prefix, name) when a name is given (made only
-- for a message: a model resolves a target per client).
local function resolve_target(tgt, where, prefix, name)
  local svc = S.service_by_name[tgt.service]
  if name and (not svc or (tgt.endpoint ~= nil and not svc.by_ep[tgt.endpoint])) then
    prefix = fmt(prefix, name)
  end
  if not svc then
    local node = S.nodes[tgt.service]
    if node then
      fail(where, "%s'%s' is a %s, not a service", prefix, tgt.service, node)
    end
    local names = {}
    for i, s in ipairs_(S.services) do names[i] = s.name end
    fail(where, "%sunknown service '%s'%s", prefix, tgt.service, did_you_mean(tgt.service, names))
  end
  local ep = tgt.endpoint
  if ep == nil then return svc.name, svc.endpoints[1].name end
  if not svc.by_ep[ep] then
    fail(where, "%sservice '%s' has no endpoint '%s'%s", prefix, svc.name, ep,
      did_you_mean(ep, svc.ep_names))
  end
  return svc.name, ep
end

-- Services that can be down without answering (on_down = "silence"): name -> where.
local silent = {}

-- A request to a silent service with no timeout would wait forever.
-- what is fmt(what, name) when a name is given (made only for a message: a model checks a
-- client per component).
local function check_patience(svc, timeout, where, what, name)
  if silent[svc] and not timeout then
    if name then what = fmt(what, name) end
    fail(where, '%s: \'%s\' can be down without answering (on_down = "silence" at %s) and %s '
      .. "has no timeout: it would wait forever; give it a timeout", what, svc, silent[svc],
      what == "call" and "this call" or "this client")
  end
end

-- The retry fields of a call or a client record, into its SPEC record out.
local function put_retry(out, rec)
  local r = rec.retry
  if not r then return out end
  out.retries, out.jitter, out.retry_budget = r.retries, r.jitter, r.retry_budget
  if r.backoff then
    local b = r.backoff
    out.backoff = { kind = b.kind, base = b.base, cap = b.cap, where = b.where or rec.where }
  end
  return out
end

-- Request-reply: the queues that take replies (name -> where first named), and the brokers
-- that steps send to (name -> where), checked against each other once all steps are read.
local reply_queues, published = {}, {}

-- The queue a request (or its reply_to) names: an error unless it is a queue.
local function request_queue(name, where, prefix)
  local b = S.broker_by_name and S.broker_by_name[name]
  if not b then
    local node = S.nodes[name]
    if node then fail(where, "%s'%s' is a %s, not a queue", prefix, name, node) end
    local names = {}
    for j, x in ipairs_(S.brokers or {}) do names[j] = x.name end
    fail(where, "%sunknown queue '%s'%s", prefix, name, did_you_mean(name, names))
  end
  if b.kind ~= "queue" then
    fail(where, '%s"%s" is a topic; %s', prefix, name, prefix:find("reply_to")
      and "replies go to a queue (each reply to its one caller)"
      or "a request goes to a queue (one consumer answers it)")
  end
  return b
end

-- SPEC steps for a list of step records; call edges are appended to edges.
local function steps_spec(list, edges)
  local out = {}
  for i, s in ipairs_(list) do
    local op = s.op
    if op == "work" or op == "sleep" or op == "io" then
      out[i] = { op = op, dist = dist_spec(s.dist), where = s.where }
    elseif op == "call" then
      local svc, ep = resolve_target(s.target, s.where, "")
      edges[#edges + 1] = { to = svc .. "." .. ep, where = s.where }
      check_patience(svc, s.timeout, s.where, "call")
      out[i] = put_retry({ op = "call", service = svc, endpoint = ep, blocking = s.blocking,
                           timeout = s.timeout, breaker = s.breaker, bulkhead = s.bulkhead,
                           where = s.where,
                           fallback = s.fallback and steps_spec(s.fallback, edges) }, s)
    elseif op == "parallel" then
      local branches = {}
      for j, b in ipairs_(s.branches) do branches[j] = steps_spec(b, edges) end
      out[i] = { op = "parallel", branches = branches, join = s.join, quorum = s.quorum,
                 blocking = s.blocking, where = s.where }
    elseif op == "publish" then
      local b = S.broker_by_name and S.broker_by_name[s.broker]
      if not b then
        local node = S.nodes[s.broker]
        if node then
          fail(s.where, "publish: '%s' is a %s, not a queue or a topic", s.broker, node)
        end
        local names = {}
        for j, x in ipairs_(S.brokers or {}) do names[j] = x.name end
        fail(s.where, "publish: unknown queue or topic '%s'%s", s.broker,
          did_you_mean(s.broker, names))
      end
      if s.key and not b.partitions then
        fail(s.where, 'publish: key: %s "%s" has no partitions (a key picks a partition of a '
          .. "topic with partitions = P)", b.kind, b.name)
      end
      local waits = s.ack or b.on_full == "block"
      if s.timeout and not waits then
        fail(s.where, "publish: timeout: only a publish that waits for the broker's "
          .. 'acknowledgement has one (ack = true, or a broker with on_full = "block")')
      end
      if waits and silent[b.name] and not s.timeout then
        fail(s.where, "publish: %s '%s' can be down without answering (on_down = \"silence\" at "
          .. "%s) and this publish waits for its acknowledgement with no timeout: it would wait "
          .. "forever; give it a timeout", b.kind, b.name, silent[b.name])
      end
      published[b.name] = published[b.name] or s.where
      out[i] = { op = "publish", broker = b.name, ack = s.ack, key = s.key, timeout = s.timeout,
                 where = s.where }
    elseif op == "reply" then
      out[i] = { op = "reply", where = s.where }
    elseif op == "request" then
      local b = request_queue(s.broker, s.where, "request: ")
      if #b.subs == 0 then
        fail(s.where, 'request: queue "%s" has no subscribers: nobody would answer the request '
          .. "(subscribe a service to it)", b.name)
      end
      if s.reply_to then
        local q = request_queue(s.reply_to, s.where, "request: reply_to: ")
        reply_queues[q.name] = reply_queues[q.name] or s.where
      end
      published[b.name] = published[b.name] or s.where
      out[i] = { op = "request", broker = b.name, reply_to = s.reply_to, blocking = s.blocking,
                 timeout = s.timeout, where = s.where,
                 fallback = s.fallback and steps_spec(s.fallback, edges) }
    elseif op == "branch" then
      local arms = {}
      for j, a in ipairs_(s.arms) do arms[j] = steps_spec(a, edges) end
      out[i] = { op = "branch", probs = copy_table(s.probs), arms = arms, where = s.where }
    end
  end
  return out
end

-- Depth-first search for a cycle in the endpoint call graph; raises on the first one found.
local function check_cycles(order, edges)
  local state, stack, via = {}, {}, {}
  local function visit(node)
    state[node] = "open"
    stack[#stack + 1] = node
    for _, e in ipairs_(edges[node] or {}) do
      if state[e.to] == "open" then
        local start = #stack
        while stack[start] ~= e.to do start = start - 1 end
        local path = {}
        for j = start, #stack do path[#path + 1] = stack[j] end
        path[#path + 1] = e.to
        local first = (start < #stack) and via[start] or e
        fail(first.where, "call cycle: %s", concat(path, " -> "))
      elseif not state[e.to] then
        via[#stack] = e
        visit(e.to)
      end
    end
    stack[#stack] = nil
    state[node] = "done"
  end
  for _, node in ipairs_(order) do
    if not state[node] then visit(node) end
  end
end

-- The whole model's expanded size (each endpoint is capped on its own at construction; many
-- endpoints, clients or links sharing large parts could still add up). Located at the part that
-- passes the cap.
local MAX_MODEL = 10000000

local function dsize(d) return d and (d.size or 1) or 0 end

local function check_model_size()
  local total = 0
  -- what is the part's kind, and name its name (the text for the message is made only then).
  local function add(n, where, what, name)
    total = total + n
    if total > MAX_MODEL then
      fail(where, "%s: the model is too large once expanded (more than %d steps and "
        .. "distributions in all)", name and fmt('%s "%s"', what, name) or what, MAX_MODEL)
    end
  end
  for _, s in ipairs_(S.services) do
    for _, ep in ipairs_(s.endpoints) do
      local n = 0
      for _, st in ipairs_(ep.steps) do n = n + (st.size or 1) end
      add(n, ep.where, "endpoint", ep.name)
    end
  end
  for _, c in ipairs_(S.clients) do
    local a = c.arrivals
    add(1 + dsize(c.think) + (a and dsize(a.on) + dsize(a.off) or 0), c.where, "client",
      c.name)
  end
  if S.link then add(dsize(S.link.latency), S.link.where, "link") end
  for _, l in ipairs_(S.links) do
    if l.latency then add(dsize(l.latency), l.where, "link") end
  end
end

local function finish()
  reply_queues, published = {}, {}
  -- Constructors whose body never came: service "web" without { ... }.
  for _, tok in ipairs_(S.pending) do
    if tok then
      fail(tok.where, "%s has no body (write %s { ... })", tok.title, tok.title)
    end
  end

  -- --set overrides must name a param the scenario asked for.
  local asked, unused = {}, {}
  for i, p in ipairs_(S.params) do asked[i] = p.name end
  for k in pairs_(S.overrides) do
    if not S.param_by_name[k] then unused[#unused + 1] = k end
  end
  sort(unused)
  if #unused > 0 then
    fail(nil, "dessa: --set %s: the scenario has no param '%s'%s", unused[1], unused[1],
      did_you_mean(unused[1], asked))
  end

  if not S.run then
    fail(nil, "%s: scenario has no run { ... } block", S.source or S.path or "scenario")
  end

  check_model_size()

  local spec = { params = {}, hosts = {}, services = {}, clients = {}, links = {} }
  for i, p in ipairs_(S.params) do
    spec.params[i] = { name = p.name, default = p.default, value = p.value }
  end
  -- The points of the sweep, for `dessa sweep` only (dessa run runs the params' values).
  if S.expand_sweep then
    spec.sweep = sweep_points(convert_param)
    if not spec.sweep then
      fail(nil, "%s: nothing to sweep: the scenario has no sweep { ... } and no --param was given",
        S.source or S.path or "scenario")
    end
  end
  local r = S.run
  spec.run = { duration = r.duration, warmup = r.warmup, sample = r.sample, seed = r.seed,
               where = r.where }

  -- Links: names must exist; one link per unordered pair.
  spec.link = S.link and { latency = dist_spec(S.link.latency), where = S.link.where } or {}
  local seen = {}
  for i, l in ipairs_(S.links) do
    for _, n in ipairs_({ l.from, l.to }) do
      if S.nodes[n] == "host" then
        fail(l.where, "link: '%s' is a host, not a service or client", n)
      end
      if not S.nodes[n] then
        fail(l.where, "link: unknown service or client '%s'%s", n, did_you_mean(n, S.node_names))
      end
    end
    local key = l.from < l.to and l.from .. "\0" .. l.to or l.to .. "\0" .. l.from
    if seen[key] then
      fail(l.where, "link: the pair '%s' - '%s' already has a link at %s", l.from, l.to,
        seen[key])
    end
    seen[key] = l.where
    if l.loss and l.loss > 0 then
      for _, n in ipairs_({ l.from, l.to }) do
        local kind = S.nodes[n]
        if kind ~= "service" and kind ~= "client" and kind ~= "queue" and kind ~= "topic" then
          fail(l.where, "link: '%s' is a %s: loss applies to requests and replies between "
            .. "clients and services, and to publishes to queues and topics", n, kind)
        end
      end
    end
    spec.links[i] = { from = l.from, to = l.to, latency = l.latency and dist_spec(l.latency),
                      loss = l.loss, where = l.where }
  end

  -- Partitions and latency spikes: every pair across the two sides, each a client or a service.
  if S.partitions and #S.partitions > 0 then
    spec.partitions = {}
    for i, p in ipairs_(S.partitions) do
      local names, labels = {}, {}
      for side = 1, 2 do
        for _, n in ipairs_(p.between[side]) do
          local node = S.nodes[n]
          if not node then
            fail(p.where, p.kind .. ": between: unknown service, client, queue or topic '%s'%s", n,
              did_you_mean(n, S.node_names))
          end
          if node ~= "service" and node ~= "client" and node ~= "queue"
              and node ~= "topic" then
            fail(p.where, p.kind .. ": between: '%s' is a %s, not a service, a client, a queue "
              .. "or a topic", n, node)
          end
        end
        labels[side] = concat(p.between[side], "+")
      end
      for _, a in ipairs_(p.between[1]) do
        for _, b in ipairs_(p.between[2]) do
          if a == b then
            fail(p.where, p.kind .. ": between: '%s' is on both sides", a)
          end
          names[#names + 1] = a
          names[#names + 1] = b
        end
      end
      spec.partitions[i] = { label = labels[1] .. "~" .. labels[2], names = names, at = p.at,
                             duration = p.duration, where = p.where,
                             extra = p.extra and dist_spec(p.extra) or nil }
    end
  end

  -- Hosts, then the services placed on them.
  local host_names = {}
  for i, h in ipairs_(S.hosts) do
    host_names[i] = h.name
    spec.hosts[i] = { name = h.name, cores = h.cores, cpu = h.cpu, where = h.where }
  end
  for _, s in ipairs_(S.services) do
    if s.host and not S.host_by_name[s.host] then
      local node = S.nodes[s.host]
      if node then
        fail(s.where, 'service "%s": host: \'%s\' is a %s, not a host', s.name, s.host,
          node)
      end
      fail(s.where, 'service "%s": unknown host \'%s\'%s', s.name, s.host,
        did_you_mean(s.host, host_names))
    end
  end

  -- Guards of services (rate limits, load shedding, deadlines), apart from the services.
  for _, s in ipairs_(S.services) do
    if s.guard then
      spec.guards = spec.guards or {}
      local g = s.guard
      spec.guards[#spec.guards + 1] = { service = s.name, rate = g.rate, burst = g.burst,
        shed_queue = g.shed_queue, shed_expired = g.shed_expired, where = s.where }
    end
  end

  -- Failures: targets must be services (and their replicas exist), hosts or brokers.
  for k in pairs_(silent) do silent[k] = nil end
  if S.faults and #S.faults > 0 then
    spec.faults = {}
    -- The spec of failure f of its target (field: "service", "host" or "broker").
    local function fault_spec(f, field, name, replica)
      return {
        kind = f.kind, [field] = name, replica = replica, at = f.at, duration = f.duration,
        factor = f.factor, on_down = f.on_down, mttf = f.mttf and dist_spec(f.mttf) or nil,
        mttr = f.mttr and dist_spec(f.mttr) or nil, where = f.where,
      }
    end
    local names = {}
    for j, x in ipairs_(S.services) do names[j] = x.name end
    for i, f in ipairs_(S.faults) do
      local svc = S.service_by_name[f.target]
      local bk = not svc and S.broker_by_name and S.broker_by_name[f.target]
      if bk then
        if f.kind == "slowdown" then
          fail(f.where, "slowdown: target: '%s' is a %s: a slowdown is for a service or a host (a "
            .. "broker's speed is its publish_cost)", f.target, bk.kind)
        end
        if f.replica then
          fail(f.where, "%s: %s '%s' has no replicas, got replica = %d", f.kind, bk.kind,
            bk.name, f.replica)
        end
        if f.on_down == "silence" and not silent[bk.name] then silent[bk.name] = f.where end
        spec.faults[i] = fault_spec(f, "broker", bk.name)
        goto continue
      end
      local h = not svc and S.host_by_name[f.target]
      if h then
        -- A host fails as a whole: every replica of every service placed on it, with one
        -- stream of failure times (the host's), and its on_down applies to each of them.
        if f.replica then
          fail(f.where, "%s: host '%s' has no replicas (its %s takes down every replica of "
            .. "every service on it), got replica = %d", f.kind, h.name, f.kind, f.replica)
        end
        local on = {}
        for _, x in ipairs_(S.services) do
          if x.host == h.name then on[#on + 1] = x.name end
        end
        if #on == 0 then
          warn(f.where, '%s: host "%s" has no services placed on it: its %s changes nothing',
            f.kind, h.name, f.kind)
        end
        if f.on_down == "silence" then
          for _, n in ipairs_(on) do
            if not silent[n] then
              silent[n] = fmt("%s, a failure of its host '%s'", f.where, h.name)
            end
          end
        end
        spec.faults[i] = fault_spec(f, "host", h.name)
        goto continue
      end
      if not svc then
        local node = S.nodes[f.target]
        if node then
          fail(f.where, "%s: target: '%s' is a %s, not %s", f.kind, f.target, node,
            f.kind == "slowdown" and "a service or a host" or "a service, a host, a queue or a topic")
        end
        for _, x in ipairs_(S.hosts) do names[#names + 1] = x.name end
        if f.kind ~= "slowdown" then
          for _, x in ipairs_(S.brokers or {}) do names[#names + 1] = x.name end
        end
        fail(f.where, "%s: target: unknown %s '%s'%s", f.kind,
          f.kind == "slowdown" and "service or host" or "service, host, queue or topic", f.target,
          did_you_mean(f.target, names))
      end
      if f.replica and f.replica >= svc.replicas then
        fail(f.where, "%s: service '%s' has %d replica%s (0 to %d), got replica = %d", f.kind,
          svc.name, svc.replicas, svc.replicas == 1 and "" or "s", svc.replicas - 1, f.replica)
      end
      if f.on_down == "silence" and not silent[svc.name] then silent[svc.name] = f.where end
      spec.faults[i] = fault_spec(f, "service", svc.name, f.replica)
      ::continue::
    end
  end

  -- Services, with call targets resolved and the call graph collected.
  local order, edges = {}, {}
  for i, s in ipairs_(S.services) do
    local eps = {}
    for j, ep in ipairs_(s.endpoints) do
      local node = s.name .. "." .. ep.name
      order[#order + 1] = node
      edges[node] = edges[node] or {}
      -- An endpoint's error_rate overrides its service's.
      local er = ep.error_rate
      if er == nil then er = s.error_rate end
      eps[j] = { name = ep.name, where = ep.where, steps = steps_spec(ep.steps, edges[node]),
                 error_rate = er }
    end
    spec.services[i] = {
      name = s.name, workers = s.workers, queue = s.queue, discipline = s.discipline,
      replicas = s.replicas, balancer = s.balancer, cores = s.cores, cpu = s.cpu,
      host = s.host, where = s.where, endpoints = eps,
    }
  end
  check_cycles(order, edges)
  -- A reply queue takes only replies and is read only by the callers.
  for _, b in ipairs_(S.brokers or {}) do
    local rq = reply_queues[b.name]
    if rq and published[b.name] then
      fail(published[b.name], 'queue "%s" is a reply queue (reply_to at %s): only replies go '
        .. "there, not publishes or requests", b.name, rq)
    end
    if rq and #b.subs > 0 then
      fail(b.subs[1].where, 'subscribe: queue "%s" is a reply queue (reply_to at %s): its '
        .. "replies go to the waiting callers; nobody subscribes to it", b.name, rq)
    end
  end

  -- Brokers and their subscriptions (after the services, whose endpoints they name).
  if S.brokers and #S.brokers > 0 then
    spec.brokers = {}
    for i, b in ipairs_(S.brokers) do
      local subs = {}
      for j, sub in ipairs_(b.subs) do
        local svc, ep = resolve_target(sub.target, sub.where, "subscribe: ")
        local dl = sub.dead_letter
        if dl and reply_queues[dl] then
          fail(sub.where, 'subscribe: dead_letter: queue "%s" is a reply queue (reply_to at %s): '
            .. "only replies go there", dl, reply_queues[dl])
        end
        if dl and not S.broker_by_name[dl] then
          local node = S.nodes[dl]
          if node then
            fail(sub.where, "subscribe: dead_letter: '%s' is a %s, not a queue or a topic", dl,
              node)
          end
          local names = {}
          for k, x in ipairs_(S.brokers) do names[k] = x.name end
          fail(sub.where, "subscribe: dead_letter: unknown queue or topic '%s'%s", dl,
            did_you_mean(dl, names))
        end
        subs[j] = { service = svc, endpoint = ep, group = sub.group, consumers = sub.consumers,
                    prefetch = sub.prefetch, delivery = sub.delivery,
                    visibility_timeout = sub.visibility_timeout,
                    max_deliveries = sub.max_deliveries, dead_letter = dl,
                    idempotent = sub.idempotent, dedupe_window = sub.dedupe_window,
                    start = sub.start, offset = sub.offset, leave_at = sub.leave_at,
                    leave_for = sub.leave_for, where = sub.where }
      end
      if #subs == 0 and not reply_queues[b.name] then
        warn(b.where, '%s "%s" has no subscribers: %s', b.kind, b.name,
          b.kind == "queue" and "its messages stay buffered" or "its messages go nowhere")
      end
      spec.brokers[i] = {
        name = b.name, kind = b.kind, capacity = b.capacity, on_full = b.on_full,
        workers = b.workers,
        publish_cost = b.publish_cost and dist_spec(b.publish_cost) or nil,
        partitions = b.partitions, retention = b.retention, retention_size = b.retention_size,
        rebalance_pause = b.rebalance_pause and dist_spec(b.rebalance_pause) or nil,
        assignment = b.assignment, durable = b.durable,
        subs = subs, where = b.where,
      }
    end
  end

  for i, c in ipairs_(S.clients) do
    local svc, ep = resolve_target(c.target, c.where, 'client "%s": target: ', c.name)
    if c.start >= r.duration then
      warn(c.where, 'client "%s": start = %s is not before the end of the run (duration = %s): '
        .. "it sends nothing", c.name, tostring_(c.start), tostring_(r.duration))
    end
    check_patience(svc, c.timeout, c.where, 'client "%s"', c.name)
    spec.clients[i] = put_retry({
      name = c.name, target = svc, endpoint = ep, kind = c.kind,
      arrivals = c.arrivals and arrivals_spec(c.arrivals) or nil,
      users = c.users, think = c.think and dist_spec(c.think) or nil,
      timeout = c.timeout, limit = c.limit, priority = c.priority, start = c.start,
      where = c.where,
    }, c)
  end
  return spec
end

return {
  finish = finish,
}
