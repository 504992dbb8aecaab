--[[
check: what every prelude module shares.

The shared per-load state S (reset in place by setup), the object registry (KIND, DATA),
locations (here, scenario_frame) and the one-line error helper fail(), value rendering,
name suggestions (did_you_mean), value checkers (C) and the generic table checker
(check_fields, pick_form).
]]

local need = ...

-- Library functions captured at load time (the scenario may replace the originals).
local ceil = math.ceil
local concat = table.concat
local error_ = error
local fmt = string.format
local getinfo = debug.getinfo
local huge = math.huge
local ipairs_ = ipairs
local mabs = math.abs
local mmax = math.max
local mmin = math.min
local mtype = math.type
local next_ = next
local pairs_ = pairs
local rawget_ = rawget
local sbyte = string.byte
local setmetatable_ = setmetatable
local sfind = string.find
local sgsub = string.gsub
local slower = string.lower
local sort = table.sort
local ssub = string.sub
local tointeger = math.tointeger
local tostring_ = tostring
local type_ = type

-- Frames whose source is this chunk belong to the prelude; the first other Lua frame up the
-- stack is the scenario code that called us.
-- Every prelude chunk is named "@lua/dessa/<module>.lua" (by the C loader and by the test
-- harness alike).
local function is_prelude_source(source)
  return ssub(source, 1, 11) == "@lua/dessa/"
end

-- z such that P(N(0,1) <= z) = 0.99, used by lognormal { median, p99 }.
local Z99 = 2.3263478740408408

-- Per-load state: one table shared by every module, emptied and refilled by setup.
local S = {}

-- Deepest nesting of parallel/branch steps and of mixtures (the C reader has the same limit).
local MAX_DEPTH = 100

-- Objects made by constructors (distributions, steps, handles ...) are empty proxy tables;
-- KIND says what they are and DATA holds their private record. Both are weak and out of the
-- scenario's reach, so objects cannot be forged or changed after validation.
local KIND = setmetatable_({}, { __mode = "k" })
local DATA = setmetatable_({}, { __mode = "k" })

-- Control characters are escaped so that every message stays on one line.
local function one_line(c)
  if c == "\n" then return "\\n" elseif c == "\t" then return "\\t" end
  return fmt("\\%d", sbyte(c))
end

-- Raises "where: message" as a plain string (level 0: no position added by Lua).
local function fail(where, msg, ...)
  local text = fmt(msg, ...)
  if where then text = where .. ": " .. text end
  error_((sgsub(text, "%c", one_line)), 0)
end

-- Writes "where: warning: message" to the scenario's output (stderr unless quiet).
local function warn(where, msg, ...)
  local text = sgsub(fmt(msg, ...), "%c", one_line)
  S.emit((where and where .. ": " or "") .. "warning: " .. text .. "\n")
end

-- The first stack frame that is Lua code outside the prelude: the scenario line being run.
local function scenario_frame()
  local level = 2
  while true do
    local info = getinfo(level, "Sl")
    if not info then return nil end
    if info.what ~= "C" and not is_prelude_source(info.source) then return info end
    level = level + 1
  end
end

-- "file:line" of the scenario code that called the current constructor, and the frame info
-- (its source and short_src). The C side gives S.frame, which finds the same frame without a
-- table per frame; the info is then one table per source, kept in S.frames.
local function here()
  local frame = S and S.frame
  if frame then
    local where, short_src, source = frame()
    if not where then return "?", nil end
    if not S.source then S.source = short_src end
    local info = S.frames[source]
    if not info then
      info = { source = source, short_src = short_src }
      S.frames[source] = info
    end
    return where, info
  end
  local info = scenario_frame()
  if not info then return "?", nil end
  if S and not S.source then S.source = info.short_src end
  return info.short_src .. ":" .. info.currentline, info
end

local function is_finite(v)
  return type_(v) == "number" and v == v and v ~= huge and v ~= -huge
end

local function is_plain_table(v)
  return type_(v) == "table" and KIND[v] == nil
end

-- One-line rendering of a value for "got ..." in messages.
local function describe(v)
  local kind = KIND[v]
  if kind == "dist" then return "a distribution"
  elseif kind == "arrival" then return "an arrival process"
  elseif kind == "step" then return "a " .. DATA[v].op .. " step"
  elseif kind == "endpoint" then return fmt('endpoint "%s"', DATA[v].name)
  elseif kind == "service" then return fmt('service "%s"', DATA[v].name)
  elseif kind == "epref" then return fmt("endpoint %s.%s", DATA[v].service, DATA[v].endpoint)
  elseif kind == "client" then return fmt('client "%s"', DATA[v].name)
  elseif kind == "host" then return fmt('host "%s"', DATA[v].name)
  end
  local t = type_(v)
  if t == "string" then
    local s = v
    if #s > 40 then s = ssub(s, 1, 37) .. "..." end
    s = sgsub(s, '[%c"\\]', function(c)
      if c == "\n" then return "\\n" elseif c == "\t" then return "\\t"
      elseif c == '"' or c == "\\" then return "\\" .. c end
      return fmt("\\%d", sbyte(c))
    end)
    return '"' .. s .. '"'
  elseif t == "table" then return "a table"
  elseif t == "function" then return "a function"
  elseif t == "number" and v ~= v then return "nan"   -- not "-nan" on some platforms
  elseif t == "number" or t == "boolean" or t == "nil" then return tostring_(v)
  end
  return "a " .. t
end

-- Restricted Damerau-Levenshtein (optimal string alignment) distance, case-insensitive.
-- Names (of services, endpoints, clients, params) are at most this long; longer strings get
-- no suggestion either, so suggestions stay cheap.
local MAX_NAME = 200

-- Restricted Damerau-Levenshtein (optimal string alignment) distance, case-insensitive, computed
-- only in the band |i - j| <= limit: returns limit + 1 for anything farther than limit.
local function distance(a, b, limit)
  a, b = slower(a), slower(b)
  local la, lb = #a, #b
  local far = limit + 1
  if mabs(la - lb) > limit then return far end
  local prev2, prev = nil, {}
  for j = 0, mmin(lb, limit) do prev[j] = j end
  for i = 1, la do
    local cur, row_min = {}, far
    if i <= limit then cur[0] = i; row_min = i end
    local ca = sbyte(a, i)
    for j = mmax(1, i - limit), mmin(lb, i + limit) do
      local cb = sbyte(b, j)
      local v = (prev[j] or far) + 1
      local w = (cur[j - 1] or far) + 1
      if w < v then v = w end
      w = (prev[j - 1] or far) + (ca == cb and 0 or 1)
      if w < v then v = w end
      if prev2 and i > 1 and j > 1 and ca == sbyte(b, j - 1) and sbyte(a, i - 1) == cb then
        w = (prev2[j - 2] or far) + 1
        if w < v then v = w end
      end
      if v > far then v = far end
      cur[j] = v
      if v < row_min then row_min = v end
    end
    if row_min > limit then return far end
    prev2, prev = prev, cur
  end
  return prev[lb] or far
end

-- " (did you mean 'x'?)" when one of the candidate strings is close to name, else "".
-- Close means at most 2 edits and at most a third of the name's length (at least 1).
local function did_you_mean(name, candidates)
  if type_(name) ~= "string" or #name > MAX_NAME then return "" end
  local limit = mmin(2, ceil(#name / 3))
  if limit < 1 then limit = 1 end
  local best, best_d
  for _, c in ipairs_(candidates) do
    if type_(c) == "string" then
      local dd = distance(name, c, limit)
      if dd <= limit and (not best_d or dd < best_d or (dd == best_d and c < best)) then
        best, best_d = c, dd
      end
    end
  end
  if best then return fmt(" (did you mean '%s'?)", best) end
  return ""
end

-- A name for a message: cut to 40 characters when longer than any valid name.
local function short_name(s)
  if #s > MAX_NAME then return ssub(s, 1, 40) .. "..." end
  return s
end

local function valid_name(s)
  return type_(s) == "string" and #s <= MAX_NAME and sfind(s, "^[%w_%.%-]+$") ~= nil
end

local NAME_RULE = 'a non-empty string of at most 200 letters, digits, "_", "." and "-"'

-- Read-only proxies. The generic metatable exposes the record's fields for reading.
local function readonly(obj)
  fail(here(), "%s is read-only", describe(obj))
end

local OBJECT_MT = {
  __index = function(obj, k) return DATA[obj][k] end,
  __newindex = readonly,
  __tostring = function(obj) return describe(obj) end,
  __metatable = false,
}

-- Creation order of objects, so the sandbox's pairs can order keys that are objects.
local SEQ = setmetatable_({}, { __mode = "k" })
local nobjects = 0

local function make_object(kind, data, mt)
  local obj = setmetatable_({}, mt or OBJECT_MT)
  KIND[obj], DATA[obj] = kind, data
  nobjects = nobjects + 1
  SEQ[obj] = nobjects
  return obj
end


---------------------------------------------------------------------------------------------
-- 2. Checkers and the generic table checker
---------------------------------------------------------------------------------------------

-- A checker is { desc = "a positive integer", fn = function(value, ctx) ... end } where fn
-- returns true and the normalised value, or false (and optionally a more precise text to use
-- instead of desc). ctx.where is the constructor's location
-- (used to stamp numbers turned into const distributions).
local C = {}

local UINT32_MAX = 4294967295

local function number_checker(desc, ok)
  return { desc = desc, fn = function(v)
    if is_finite(v) and ok(v) then return true, v end
    return false
  end }
end

local function integer_checker(desc, ok)
  return { desc = desc, fn = function(v)
    local i = is_finite(v) and tointeger(v)
    if i and ok(i) then return true, i end
    return false
  end }
end

C.num = number_checker("a number", function() return true end)
C.pos_num = number_checker("a positive number", function(v) return v > 0 end)
C.nonneg_num = number_checker("a non-negative number", function(v) return v >= 0 end)
C.probability = number_checker("a number between 0 and 1", function(v) return v >= 0 and v <= 1 end)
C.pos_int = integer_checker("a positive integer", function(v) return v > 0 end)
-- Counts stored in 32 bits by the engine (workers, replicas, users, erlang k).
C.count = { desc = "a positive integer", fn = function(v)
  local ok, i = C.pos_int.fn(v)
  if ok and i > UINT32_MAX then return false, "at most 4294967295" end
  return ok, i
end }
-- Threads of a service: a count (4294967295, the top of the range, is the engine's infinite
-- server), or math.huge / "inf" for an infinite server (a thread for every request), kept in
-- the SPEC as the string "inf".
C.workers = { desc = "a positive integer", fn = function(v)
  if v == huge or v == "inf" then return true, "inf" end
  if type_(v) == "string" then return false, 'a positive integer or "inf"' end
  return C.count.fn(v)
end }
-- Words for "no limit" (any case), for queue and timeout, and from --set for number params.
local NO_LIMIT = { unbounded = true, none = true, inf = true, infinity = true }
local function no_limit(v)
  return v == huge or (type_(v) == "string" and NO_LIMIT[slower(v)] == true)
end
-- A waiting room: a capacity, or unbounded (math.huge, "unbounded"; kept as "unbounded").
C.queue = { desc = 'a non-negative integer, or "unbounded" (math.huge)', fn = function(v)
  if no_limit(v) then return true, "unbounded" end
  local i = is_finite(v) and tointeger(v)
  if i and i >= 0 then return true, i end
  return false
end }
-- A client's patience: seconds, or none (math.huge, "none"; kept as "none").
C.timeout = { desc = 'a positive number of seconds, or "none" (math.huge)', fn = function(v)
  if no_limit(v) then return true, "none" end
  if is_finite(v) and v > 0 then return true, v end
  return false
end }
-- The engine's ranges for workloads: arrival rates (per second) and users of a closed client.
local RATE_MAX = 1e9
local USERS_MAX = 10000000
C.rate = { desc = "a positive number", fn = function(v)
  if not (is_finite(v) and v > 0) then return false end
  if v > RATE_MAX then return false, "at most 1e9 per second" end
  return true, v
end }
C.users = { desc = "a positive integer", fn = function(v)
  local ok, i = C.pos_int.fn(v)
  if ok and i > USERS_MAX then return false, "at most 10000000" end
  return ok, i
end }
C.nonneg_int = integer_checker("a non-negative integer", function(v) return v >= 0 end)
C.int = integer_checker("an integer", function(v) return v >= -2147483648 and v <= 2147483647 end)

C.bool = { desc = "true or false", fn = function(v)
  if type_(v) == "boolean" then return true, v end
  return false
end }

C.string = { desc = "a string", fn = function(v)
  if type_(v) == "string" then return true, v end
  return false
end }

C.name = { desc = NAME_RULE, fn = function(v)
  if valid_name(v) then return true, v end
  return false
end }

-- One of a fixed set of strings.
function C.oneof(choices)
  local set, quoted = {}, {}
  for i, c in ipairs_(choices) do set[c] = true; quoted[i] = '"' .. c .. '"' end
  local desc = "one of " .. concat(quoted, ", ")
  return { desc = desc, fn = function(v)
    if set[v] then return true, v end
    return false
  end }
end

-- A list (plain table 1..n, n >= 1) of numbers accepted by an element checker.
local function list_checker(desc, elem)
  return { desc = desc, fn = function(v)
    if not is_plain_table(v) then return false end
    local out, n = {}, 0
    for k in next_, v do
      if mtype(k) ~= "integer" or k < 1 then return false end
      if k > n then n = k end
    end
    if n == 0 then return false end
    for i = 1, n do
      local ok, x = elem.fn(rawget_(v, i))
      if not ok then return false end
      out[i] = x
    end
    return true, out
  end }
end

C.nonneg_list = list_checker("a list of non-negative numbers", C.nonneg_num)
C.pos_list = list_checker("a list of positive numbers", C.pos_num)

-- A distribution, or a non-negative number meaning const(number). Returns the dist record.
C.dist = { desc = "a distribution or a non-negative number", fn = function(v, ctx)
  if KIND[v] == "dist" then return true, DATA[v] end
  if is_finite(v) and v >= 0 then
    return true, { kind = "const", value = v, where = ctx and ctx.where }
  end
  if is_plain_table(v) then
    -- A table of parameters without its constructor: name the constructor it needs.
    local mean = rawget_(v, "mean")
    return false, "a distribution or a non-negative number (a table of parameters needs its "
      .. "constructor: " .. (is_finite(mean) and fmt("exp { mean = %s }", describe(mean))
        or "exp { mean = ... }, lognormal { median = ..., p99 = ... }") .. ")"
  end
  return false
end }

-- A call or client target: service handle, endpoint handle or service name (resolved later).
C.target = { desc = "a service, an endpoint (svc.name) or a service name", fn = function(v)
  local kind = KIND[v]
  if kind == "service" then return true, { service = DATA[v].name } end
  if kind == "epref" then
    return true, { service = DATA[v].service, endpoint = DATA[v].endpoint }
  end
  if valid_name(v) then return true, { service = v } end
  return false
end }

-- Cores of a host or of a service's own (the C reader's range).
C.cores = { desc = "a positive number", fn = function(v)
  if not (is_finite(v) and v > 0) then return false end
  if v > 1e9 then return false, "at most 1e9" end
  return true, v
end }

-- A host: its handle or its name (resolved later).
C.host = { desc = "a host or a host name", fn = function(v)
  if KIND[v] == "host" then return true, DATA[v].name end
  if valid_name(v) then return true, v end
  return false
end }

-- A node of the network (for links): a service or client handle, or a name.
C.node = { desc = "a service, a client, a broker or a name", fn = function(v)
  local kind = KIND[v]
  if kind == "service" or kind == "client" or kind == "broker" then return true, DATA[v].name end
  if valid_name(v) then return true, v end
  return false
end }

C.broker = { desc = "a queue or a topic (or its name)", fn = function(v)
  if KIND[v] == "broker" then return true, DATA[v].name end
  if KIND[v] == nil and valid_name(v) then return true, v end
  return false
end }

C.arrivals = { desc = "an arrival process (poisson, constant, schedule or bursty)",
  fn = function(v)
    if KIND[v] == "arrival" then return true, DATA[v] end
    if is_finite(v) and v > 0 then
      return false, fmt("an arrival process, as poisson(%s) for %s requests per second",
        describe(v), describe(v))
    end
    return false
  end }

-- CSV column: a header name or a 1-based index.
C.column = { desc = "a column name or a positive integer", fn = function(v)
  if type_(v) == "string" and v ~= "" then return true, v end
  return C.pos_int.fn(v)
end }

--[[
check_fields(label, where, t, schema, style) validates the plain table t against schema, a
list of field rules { "name", checker, required = bool, default = value }, and returns
  values      name -> normalised value (or the default)
  positional  index -> raw value of the positional entries (holes kept as nil)
  npos        the highest positional index (0 if none)
style.positional allows positional entries; style.plain words messages for distribution
parameters ("mean must be ...") instead of record fields ("field 'mean' must be ...").
Unknown names are reported with a suggestion taken from the schema.
]]
-- Each schema's index, made at its first use (schemas are not changed once made; weak keys,
-- so a schema made on the fly does not stay): its rules by name, its list of names, each
-- name's position, the positions of the rules with a default, and the number of required
-- rules.
local schema_index = setmetatable_({}, { __mode = "k" })
local NO_STYLE = {}
-- The positional entries of a table that has none (most): one shared list, which no caller
-- may change.
local NO_ENTRIES = setmetatable_({}, {
  __newindex = function() error_("internal error: the shared empty list was written to", 2) end,
  __metatable = false,
})

local function index_schema(schema)
  local known, names, pos_of, defaulted, nrequired = {}, {}, {}, {}, 0
  for i, rule in ipairs_(schema) do
    local name = rule[1]
    known[name], names[i], pos_of[name] = rule, name, i
    if rule.default ~= nil then defaulted[#defaulted + 1] = i end
    if rule.required then nrequired = nrequired + 1 end
  end
  local index = { known, names, pos_of, defaulted, nrequired }
  schema_index[schema] = index
  return index
end

-- The value of field v given for rule, by its checker; a value refused fails.
local function checked(label, where, rule, v, ctx, style)
  local name, checker = rule[1], rule[2]
  local ok, value = checker.fn(v, ctx)
  if not ok then
    fail(where, "%s: %s must be %s, got %s", label,
      style.plain and name or fmt("field '%s'", name), value or checker.desc, describe(v))
  end
  return value
end

-- The values of t's fields by the rules of schema, in the schema's order: the first rule that
-- fails (a required field missing, a value refused) is the one reported.
local function schema_values(label, where, t, schema, style)
  local values, ctx = {}, { where = where }
  for _, rule in ipairs_(schema) do
    local name = rule[1]
    local v = rawget_(t, name)
    if v == nil then
      if rule.required then
        fail(where, "%s: %s is required", label, style.plain and name or fmt("field '%s'", name))
      end
      values[name] = rule.default
    else
      values[name] = checked(label, where, rule, v, ctx, style)
    end
  end
  return values
end

local function check_fields(label, where, t, schema, style)
  style = style or NO_STYLE
  local index = schema_index[schema] or index_schema(schema)
  local known, pos_of = index[1], index[3]
  local unknown, positional, npos = nil, NO_ENTRIES, 0
  -- The positions in the schema of the fields given, and how many of them are required.
  local given, ngiven, nrequired = {}, 0, 0
  for k, v in next_, t do
    if mtype(k) == "integer" and k >= 1 then
      if npos == 0 then positional = {} end
      positional[k] = v
      if k > npos then npos = k end
    elseif type_(k) == "string" then
      local p = pos_of[k]
      if not p then
        unknown = unknown or {}
        unknown[#unknown + 1] = k
      else
        ngiven = ngiven + 1
        given[ngiven] = p
        if known[k].required then nrequired = nrequired + 1 end
      end
    else
      fail(where, "%s: unexpected key %s", label, describe(k))
    end
  end
  if unknown then
    sort(unknown)
    local name = unknown[1]
    -- A usual slip has a hint of its own (schema.hints: name -> text or function(value)).
    local hint = schema.hints and schema.hints[name]
    if type_(hint) == "function" then hint = hint(rawget_(t, name)) end
    fail(where, "%s: unknown field '%s'%s", label, short_name(name),
      hint and " (" .. hint .. ")" or did_you_mean(name, index[2]))
  end
  if npos > 0 and not style.positional then
    local first = 1
    while positional[first] == nil do first = first + 1 end
    fail(where, "%s: unexpected entry %s (fields are written name = value)", label,
      describe(positional[first]))
  end
  if nrequired < index[5] then   -- a required field is missing: the rules in order say which
    return schema_values(label, where, t, schema, style), positional, npos
  end
  -- Every required field is there: only the fields given and the defaults are visited, in the
  -- schema's order (the checkers run, and the values are stored, in the order of the loop
  -- above, so the first value refused is the same).
  for i = 2, ngiven do
    local p, j = given[i], i - 1
    while j >= 1 and given[j] > p do
      given[j + 1] = given[j]
      j = j - 1
    end
    given[j + 1] = p
  end
  local defaulted = index[4]
  -- The values' room made at once (the fields given and the defaults, at most).
  local table_new = S.table_new
  local values = table_new and table_new(0, ngiven + #defaulted) or {}
  local ctx = { where = where }
  local i, j = 1, 1
  local a, b = given[1], defaulted[1]
  while a or b do
    if a and (not b or a <= b) then
      local rule = schema[a]
      local name = rule[1]
      values[name] = checked(label, where, rule, rawget_(t, name), ctx, style)
      if a == b then
        j = j + 1
        b = defaulted[j]
      end
      i = i + 1
      a = given[i]
    else
      local rule = schema[b]
      values[rule[1]] = rule.default
      j = j + 1
      b = defaulted[j]
    end
  end
  return values, positional, npos
end

-- For constructors with alternative parameter sets: returns the index of the one form whose
-- fields are all given while no field outside it is.
local function pick_form(label, where, values, schema, forms)
  for i, form in ipairs_(forms) do
    local inside, complete = {}, true
    for _, f in ipairs_(form) do
      inside[f] = true
      if values[f] == nil then complete = false end
    end
    if complete then
      local stray = false
      for _, rule in ipairs_(schema) do
        if values[rule[1]] ~= nil and not inside[rule[1]] then stray = true end
      end
      if not stray then return i end
    end
  end
  local shown = {}
  for i, form in ipairs_(forms) do shown[i] = "{ " .. concat(form, ", ") .. " }" end
  local list = concat(shown, ", ", 1, #shown - 1) .. " or " .. shown[#shown]
  fail(where, "%s: give exactly one of %s", label, list)
end


-- The first index 1..npos without a value in pos (a hole in a positional list), or nil.
local function first_hole(pos, npos)
  for i = 1, npos do
    if pos[i] == nil then return i end
  end
  return nil
end

-- Refuses a hole in a positional list: Lua's length and ipairs stop there, so the entries
-- after it would be silently lost.
local function check_holes(label, where, pos, npos)
  local i = first_hole(pos, npos)
  if i then
    fail(where, "%s: entry #%d is nil, a hole in the list (an undefined variable?); "
      .. "write false to leave an entry out", label, i)
  end
end

-- Expanded sizes: a step or distribution used several times is copied once per use into the
-- SPEC, so sizes are counted per use (from sizes kept on the records, never by expanding).
local MAX_EXPANDED = 1000000

-- A shallow copy of t without the keys in except.
local function copy_table(t, except)
  local c = {}
  for k, v in pairs_(t) do if not (except and except[k]) then c[k] = v end end
  return c
end

return {
  short_name = short_name,
  no_limit = no_limit,
  check_holes = check_holes,
  MAX_EXPANDED = MAX_EXPANDED,
  RATE_MAX = RATE_MAX,
  USERS_MAX = USERS_MAX,
  MAX_DEPTH = MAX_DEPTH,
  warn = warn,
  SEQ = SEQ,
  MAX_NAME = MAX_NAME,
  C = C,
  DATA = DATA,
  KIND = KIND,
  NAME_RULE = NAME_RULE,
  OBJECT_MT = OBJECT_MT,
  S = S,
  UINT32_MAX = UINT32_MAX,
  Z99 = Z99,
  check_fields = check_fields,
  checked = checked,
  copy_table = copy_table,
  describe = describe,
  did_you_mean = did_you_mean,
  distance = distance,
  fail = fail,
  here = here,
  integer_checker = integer_checker,
  is_finite = is_finite,
  is_plain_table = is_plain_table,
  is_prelude_source = is_prelude_source,
  list_checker = list_checker,
  make_object = make_object,
  number_checker = number_checker,
  one_line = one_line,
  pick_form = pick_form,
  readonly = readonly,
  scenario_frame = scenario_frame,
  valid_name = valid_name,
}
