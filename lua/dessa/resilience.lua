--[[
resilience: what a caller does when a call fails or takes too long — retries with a backoff
and jitter, and a retry budget — shared by call(...) and client "..." { ... }; a call's circuit
breaker and bulkhead; a service's guards (rate_limit, shed_queue, shed_expired); and the
failures a model can be given: outage, crash, slowdown and partition.
]]

local need = ...

-- Library functions captured at load time (the scenario may replace the originals).
local fmt = string.format
local type_ = type
local select_ = select
local ipairs_ = ipairs
local pairs_ = pairs
local mtype = math.type
local _check = need("check")   -- shared helpers (see check.lua)
local C = _check.C
local DATA = _check.DATA
local KIND = _check.KIND
local S = _check.S
local check_fields = _check.check_fields
local describe = _check.describe
local fail = _check.fail
local here = _check.here
local is_finite = _check.is_finite
local is_plain_table = _check.is_plain_table
local make_object = _check.make_object
local valid_name = _check.valid_name
local API = {}

local RETRIES_MAX = 1000

-- constant_backoff(d): the same delay before every retry.
function API.constant_backoff(...)
  local where = here()
  local d = ...
  if select_("#", ...) ~= 1 or not (is_finite(d) and d >= 0) then
    fail(where, "constant_backoff: expected a delay in seconds, as in constant_backoff(ms(10)), "
      .. "got %s", describe(d))
  end
  return make_object("backoff", { kind = "constant", base = d, where = where })
end

local EXP_SCHEMA = { { "cap", C.pos_num } }

-- exponential_backoff(base, { cap = c }): base, 2 base, 4 base, ... at most cap.
function API.exponential_backoff(base, opts)
  local where = here()
  if not (is_finite(base) and base > 0) then
    fail(where, "exponential_backoff: the first delay must be a positive number of seconds, as "
      .. "in exponential_backoff(ms(10)), got %s", describe(base))
  end
  if opts ~= nil and not is_plain_table(opts) then
    fail(where, "exponential_backoff: options must be a table, as in exponential_backoff(ms(10), "
      .. "{ cap = 1 }), got %s", describe(opts))
  end
  local f = check_fields("exponential_backoff", where, opts or {}, EXP_SCHEMA)
  if f.cap and f.cap < base then
    fail(where, "exponential_backoff: cap (%s) must be at least the first delay (%s)",
      describe(f.cap), describe(base))
  end
  return make_object("backoff", { kind = "exponential", base = base, cap = f.cap,
                                  where = where })
end

local BACKOFF = { desc = "a backoff: constant_backoff(d), exponential_backoff(base) or a delay "
  .. "in seconds", fn = function(v)
    if KIND[v] == "backoff" then return true, DATA[v] end
    if is_finite(v) and v >= 0 then return true, { kind = "constant", base = v } end
    if KIND[v] == "arrival" then
      return false, "a backoff (constant(...) and poisson(...) are arrival processes; a fixed "
        .. "delay is constant_backoff(d) or just d)"
    end
    return false
  end }

local RETRIES = { desc = fmt("an integer between 0 and %d", RETRIES_MAX), fn = function(v)
  local ok, i = C.nonneg_int.fn(v)
  if ok and i <= RETRIES_MAX then return true, i end
  return false
end }

-- ---- circuit breaker --------------------------------------------------------------------

local BREAKER_MAX = 1000000
local BREAKER_COUNT = { desc = fmt("an integer between 1 and %d", BREAKER_MAX), fn = function(v)
  local ok, i = C.pos_int.fn(v)
  if ok and i <= BREAKER_MAX then return true, i end
  return false
end }
local FRACTION = { desc = "a number above 0 and at most 1", fn = function(v)
  if is_finite(v) and v > 0 and v <= 1 then return true, v end
  return false
end }
local BREAKER_SCHEMA = {
  { "failures", BREAKER_COUNT },
  { "failure_rate", FRACTION },
  { "window", BREAKER_COUNT },
  { "window_time", C.pos_num },
  { "min_calls", BREAKER_COUNT },
  { "open_for", C.pos_num, required = true },
  { "probes", BREAKER_COUNT, default = 1 },
}
local RATE_HINT = "did you mean failure_rate? a breaker opens on a failure rate with "
  .. "failure_rate = fraction and a window (window = n calls, or window_time = seconds)"
BREAKER_SCHEMA.hints = {
  rate = RATE_HINT, threshold = RATE_HINT, failure_threshold = RATE_HINT,
  failure_rate_threshold = RATE_HINT,
  window_size = "did you mean window? the last n calls are window = n, the last t seconds "
    .. "window_time = t",
  minimum_calls = "did you mean min_calls?", min_requests = "did you mean min_calls?",
}
-- min_calls of a time-based window when not given.
local MIN_CALLS_TIME = 10
-- The shortest time-based window (the engine numbers its slices from time 0 in 64 bits).
local WINDOW_TIME_MIN = 1e-6

-- circuit_breaker { failures = n, open_for = s, probes = k }, or { failure_rate = f,
-- window = n | window_time = t, min_calls = m, open_for = s, probes = k }: for
-- call(..., { breaker = b }).
function API.circuit_breaker(t)
  local where = here()
  if not is_plain_table(t) then
    fail(where, "circuit_breaker: expected a table, as in circuit_breaker { failures = 5, "
      .. "open_for = 30 }, got %s", describe(t))
  end
  local f = check_fields("circuit_breaker", where, t, BREAKER_SCHEMA)
  if not f.failures and not f.failure_rate then
    fail(where, "circuit_breaker: give failures = n (consecutive failed calls) or failure_rate "
      .. "= fraction (of the calls in a window)")
  end
  if f.failures and f.failure_rate then
    fail(where, "circuit_breaker: give failures = n or failure_rate = fraction, not both")
  end
  if f.failures then
    for _, k in ipairs_({ "window", "window_time", "min_calls" }) do
      if f[k] then
        fail(where, "circuit_breaker: %s goes with failure_rate (a breaker with failures = n "
          .. "counts consecutive failures)", k)
      end
    end
  else
    if not f.window and not f.window_time then
      fail(where, "circuit_breaker: failure_rate needs a window: window = n (the last n calls) "
        .. "or window_time = seconds (the calls of the last seconds)")
    end
    if f.window and f.window_time then
      fail(where, "circuit_breaker: give window = n (calls) or window_time = seconds, not both")
    end
    if f.window_time and f.window_time < WINDOW_TIME_MIN then
      fail(where, "circuit_breaker: window_time must be at least %g s (a microsecond), got %s",
        WINDOW_TIME_MIN, describe(f.window_time))
    end
    f.min_calls = f.min_calls or f.window or MIN_CALLS_TIME
    if f.window and f.min_calls > f.window then
      fail(where, "circuit_breaker: min_calls (%d) is more than the window (%d calls)",
        f.min_calls, f.window)
    end
  end
  f.where = where
  return make_object("breaker", f)
end

local BREAKER = { desc = "a circuit breaker: circuit_breaker { failures = 5, open_for = 30 }",
  fn = function(v)
    if KIND[v] == "breaker" then return true, DATA[v] end
    return false
  end }

-- ---- bulkhead ---------------------------------------------------------------------------

local BULK_QUEUE = { desc = fmt("an integer between 0 and %d", BREAKER_MAX), fn = function(v)
  local ok, i = C.nonneg_int.fn(v)
  if ok and i <= BREAKER_MAX then return true, i end
  return false
end }
local BULKHEAD_SCHEMA = {
  { "max_concurrent", BREAKER_COUNT, required = true },
  { "queue", BULK_QUEUE, default = 0 },
  { "max_wait", C.timeout },
}
local MAX_HINT = "did you mean max_concurrent? the calls in flight at once are max_concurrent = n"
BULKHEAD_SCHEMA.hints = { max = MAX_HINT, limit = MAX_HINT, size = MAX_HINT,
  max_calls = MAX_HINT, max_concurrent_calls = MAX_HINT,
  queue_size = "did you mean queue?", timeout = "did you mean max_wait?" }

-- bulkhead { max_concurrent = n, queue = q, max_wait = t }: for call(..., { bulkhead = b }).
function API.bulkhead(t)
  local where = here()
  if not is_plain_table(t) then
    fail(where, "bulkhead: expected a table, as in bulkhead { max_concurrent = 10 }, got %s",
      describe(t))
  end
  local f = check_fields("bulkhead", where, t, BULKHEAD_SCHEMA)
  if f.max_wait == "none" then f.max_wait = nil end
  if f.max_wait and f.queue == 0 then
    fail(where, "bulkhead: max_wait is how long a call waits in the queue: give queue = n too "
      .. "(with queue = 0 the calls over max_concurrent fail at once)")
  end
  f.where = where
  return make_object("bulkhead", f)
end

local BULKHEAD = { desc = "a bulkhead: bulkhead { max_concurrent = 10 }", fn = function(v)
  if KIND[v] == "bulkhead" then return true, DATA[v] end
  return false
end }

-- ---- a service's guards: rate limit, load shedding, deadlines ---------------------------

local BURST = { desc = "a number of at least 1", fn = function(v)
  if is_finite(v) and v >= 1 then return true, v end
  return false
end }
local RATE_LIMIT_SCHEMA = {
  { "rate", C.rate, required = true },
  { "burst", BURST, default = 1 },
}
RATE_LIMIT_SCHEMA.hints = { capacity = "did you mean burst? the bucket holds burst tokens",
  bucket = "did you mean burst? the bucket holds burst tokens",
  per_second = "did you mean rate? tokens per second are rate = r" }

-- rate_limit { rate = r, burst = b }: a token bucket, for service "s" { rate_limit = ... }.
function API.rate_limit(t)
  local where = here()
  if not is_plain_table(t) then
    fail(where, "rate_limit: expected a table, as in rate_limit { rate = 100, burst = 20 }, "
      .. "got %s", describe(t))
  end
  local f = check_fields("rate_limit", where, t, RATE_LIMIT_SCHEMA)
  f.where = where
  return make_object("rate_limit", f)
end

local RATE_LIMIT = { desc = "a rate limit: rate_limit { rate = 100, burst = 20 }, or a rate "
  .. "(per second)", fn = function(v)
    if KIND[v] == "rate_limit" then return true, DATA[v] end
    local ok, r = C.rate.fn(v)
    if ok then return true, { rate = r, burst = 1 } end
    return false, r
  end }
local SHED_MAX = 2 ^ 53
local SHED_QUEUE = { desc = "a non-negative integer", fn = function(v)
  local ok, i = C.nonneg_int.fn(v)
  if ok and i <= SHED_MAX then return true, i end
  return false
end }

-- The guard fields of a service's schema.
local GUARD_FIELDS = {
  { "rate_limit", RATE_LIMIT },
  { "shed_queue", SHED_QUEUE },
  { "shed_expired", C.bool },
}

-- The guards of a service's checked fields f, for its record (nil when it has none).
local function guard_spec(f)
  if not f.rate_limit and not f.shed_queue and not f.shed_expired then return nil end
  local r = f.rate_limit
  return { rate = r and r.rate, burst = r and r.burst, shed_queue = f.shed_queue,
           shed_expired = f.shed_expired or false }
end
-- The retry fields of call options and of clients.
local RETRY_FIELDS = {
  { "retries", RETRIES },
  { "backoff", BACKOFF },
  { "jitter", C.oneof({ "none", "full", "equal", "decorrelated" }) },
  { "retry_budget", C.nonneg_num },
}
-- Fields of call options only.
local CALL_ONLY = {
  { "breaker", BREAKER },
  { "bulkhead", BULKHEAD },
}

-- Adds the retry fields to a schema (a copy); `call`: the fields of call options only too.
local function with_retry(schema, call)
  local out = {}
  for i, rule in ipairs_(schema) do out[i] = rule end
  for _, rule in ipairs_(RETRY_FIELDS) do out[#out + 1] = rule end
  if call then
    for _, rule in ipairs_(CALL_ONLY) do out[#out + 1] = rule end
  end
  out.hints = schema.hints
  return out
end

-- The retry fields of checked values f, for the SPEC (nil when there are none).
local function retry_spec(f)
  local b = f.backoff
  return {
    retries = f.retries,
    backoff = b and { kind = b.kind, base = b.base, cap = b.cap, where = b.where } or nil,
    jitter = f.jitter,
    retry_budget = f.retry_budget,
  }
end

-- The breaker of checked call options f, for the SPEC (nil without one).
local function breaker_spec(f)
  local b = f.breaker
  if not b then return nil end
  return { failures = b.failures, open_for = b.open_for, probes = b.probes,
           failure_rate = b.failure_rate, window = b.window, window_time = b.window_time,
           min_calls = b.min_calls, where = b.where }
end

-- The bulkhead of checked call options f, for the SPEC (nil without one).
local function bulkhead_spec(f)
  local b = f.bulkhead
  if not b then return nil end
  return { max_concurrent = b.max_concurrent, queue = b.queue, max_wait = b.max_wait,
           where = b.where }
end

-- ---- failures ---------------------------------------------------------------------------

-- A failure's target: a handle of one of kinds (kind -> true), or a name resolved later.
local function target_checker(kinds, what)
  return { desc = what .. " (or its name)", fn = function(v)
    if kinds[KIND[v]] then return true, DATA[v].name end
    if type_(v) == "string" and valid_name(v) then return true, v end
    if KIND[v] then return false, fmt("%s, not a %s", what, KIND[v]) end
    return false
  end }
end
-- Slowdowns take a service or a host (a brownout of the machine: every service on it).
local TARGET = target_checker({ service = true, host = true }, "a service or a host")
-- Outages and crashes also take a queue or a topic.
local FAIL_TARGET = target_checker({ service = true, host = true, broker = true },
  "a service, a host, a queue or a topic")
local ON_DOWN = C.oneof({ "refuse", "silence" })

local FAULT_SCHEMAS = {
  outage = {
    { "target", FAIL_TARGET, required = true },
    { "at", C.nonneg_num, required = true },
    { "duration", C.pos_num, required = true },
    { "replica", C.nonneg_int },
    { "on_down", ON_DOWN, default = "refuse" },
  },
  crash = {
    { "target", FAIL_TARGET, required = true },
    { "mttf", C.dist, required = true },
    { "mttr", C.dist, required = true },
    { "replica", C.nonneg_int },
    { "on_down", ON_DOWN, default = "refuse" },
  },
  slowdown = {
    { "target", TARGET, required = true },
    { "at", C.nonneg_num, required = true },
    { "duration", C.pos_num, required = true },
    { "factor", C.pos_num, required = true },
    { "replica", C.nonneg_int },
  },
}
local EXAMPLES = {
  outage = "outage { target = db, at = 60, duration = 30 }",
  crash = "crash { target = db, mttf = exp(3600), mttr = exp(60) }",
  slowdown = "slowdown { target = db, at = 60, duration = 30, factor = 5 }",
}

-- A failure declared by its constructor, kept in order in S[list]: S.faults (outage, crash,
-- slowdown) or S.partitions (the faults of links between two sides: partition, spike).
local function declare_fault(list, kind, example, schema, t)
  local where = here()
  if not is_plain_table(t) then
    fail(where, "%s: expected a table, as in %s, got %s", kind, example, describe(t))
  end
  local f = check_fields(kind, where, t, schema)
  f.kind, f.where = kind, where
  S[list] = S[list] or {}
  S[list][#S[list] + 1] = f
end

for kind, schema in pairs(FAULT_SCHEMAS) do
  API[kind] = function(t) declare_fault("faults", kind, EXAMPLES[kind], schema, t) end
end

-- partition { between = { a, b }, at = t, duration = d }: a and b are each a service, a client
-- (or a name) or a list of them; every pair across the two sides is cut for the duration.
local SIDE = { desc = "a service, a client, a name or a list of them", fn = function(v)
  local ok, x = C.node.fn(v)
  if ok then return true, { x } end
  if not is_plain_table(v) or KIND[v] then return false end
  local out = {}
  for k in pairs_(v) do
    if mtype(k) ~= "integer" or k < 1 or k > #v then return false end
  end
  if #v == 0 then return false end
  for i = 1, #v do
    ok, x = C.node.fn(v[i])
    if not ok then return false end
    out[i] = x
  end
  return true, out
end }
local BETWEEN = { desc = "two sides, as in between = { a, b } (each a service, a client, a name "
  .. "or a list of them)", fn = function(v)
  if not is_plain_table(v) or KIND[v] or #v ~= 2 then return false end
  for k in pairs_(v) do
    if k ~= 1 and k ~= 2 then return false end
  end
  local ok1, a = SIDE.fn(v[1])
  local ok2, b = SIDE.fn(v[2])
  if not (ok1 and ok2) then return false end
  return true, { a, b }
end }
local PARTITION_SCHEMA = {
  { "between", BETWEEN, required = true },
  { "at", C.nonneg_num, required = true },
  { "duration", C.pos_num, required = true },
}

local SPIKE_SCHEMA = {
  { "between", BETWEEN, required = true },
  { "at", C.nonneg_num, required = true },
  { "duration", C.pos_num, required = true },
  { "extra", C.dist, required = true },
}

function API.partition(t)
  declare_fault("partitions", "partition",
    "partition { between = { web, db }, at = 60, duration = 30 }", PARTITION_SCHEMA, t)
end

-- spike { between = { a, b }, at = t, duration = d, extra = dist }: every hop between the two
-- sides takes a draw of extra more latency for the duration.
function API.spike(t)
  declare_fault("partitions", "spike",
    "spike { between = { web, db }, at = 60, duration = 30, extra = ms(200) }", SPIKE_SCHEMA, t)
end

return {
  API = API,
  with_retry = with_retry,
  retry_spec = retry_spec,
  breaker_spec = breaker_spec,
  bulkhead_spec = bulkhead_spec,
  GUARD_FIELDS = GUARD_FIELDS,
  guard_spec = guard_spec,
}
