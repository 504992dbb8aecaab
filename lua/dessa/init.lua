--[[
dessa prelude: the Lua half of the scenario language.

The C program loads this chunk (embedded in the binary) into a fresh Lua state before the
scenario, calls it, and gets back a table M:

  M.setup(opts)   opts = { overrides = { name = "string", ... },  -- from --set name=value
                           random = function(m, n) ... end,       -- seeded math.random
                           unsafe = false,                        -- expose os, io, require
                           path = "scenario.lua" }                -- optional, see below
  M.env()         the sandbox environment the scenario is loaded with
  M.finish()      checks the whole model and returns the SPEC table (see docs/lua-api.md)

Every error is a single line "file:line: message". Constructors raise at once with the line of
the scenario that called them; checks that need the whole model (references between services,
call cycles, the run block) are made by finish() with the location remembered at construction.
opts.path is only used by the "no run block" message when the scenario never touched a global
(otherwise the path is learnt from the scenario's own stack frames).

Layout of this file:
  1. captured library functions, object registry, location and error helpers
  2. value checkers and the generic table checker (schemas are lists of { field, checker })
  3. distributions and arrival processes (one spec table per constructor)
  4. steps, endpoints, services, clients, links, run, param
  5. the sandbox environment (strict globals)
  6. finish(): resolution, cycle detection and the SPEC table
]]

local M = {}

---------------------------------------------------------------------------------------------
-- 1. Captured functions and helpers
---------------------------------------------------------------------------------------------

-- The scenario can reach (and replace) fields of the shared string metatable, so the prelude
-- only uses functions captured here, never method calls on strings.
local getinfo = debug.getinfo
local io_open, stderr = io.open, io.stderr
local fmt, sbyte, slower, smatch, sgmatch, ssub, sgsub, sfind =
  string.format, string.byte, string.lower, string.match, string.gmatch, string.sub,
  string.gsub, string.find
local huge, mlog, sqrt, ceil, mmin, mabs = math.huge, math.log, math.sqrt, math.ceil, math.min,
  math.abs
local mtype, tointeger = math.type, math.tointeger
local concat, sort, tunpack = table.concat, table.sort, table.unpack
local rawget_, next_, type_, tostring_, tonumber_, select_, setmetatable_, ipairs_, pairs_ =
  rawget, next, type, tostring, tonumber, select, setmetatable, ipairs, pairs
local error_, load_ = error, load

-- Frames whose source is this chunk belong to the prelude; the first other Lua frame up the
-- stack is the scenario code that called us.
-- Every prelude chunk is named "@lua/dessa/<module>.lua" (by the C loader and by the test
-- harness alike).
local function is_prelude_source(source)
  return ssub(source, 1, 11) == "@lua/dessa/"
end

-- z such that P(N(0,1) <= z) = 0.99, used by lognormal { median, p99 }.
local Z99 = 2.3263478740408408

-- Per-run state, created by M.setup.
local S

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
M.fail = fail   -- the C message handler tells these errors from internal ones

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

-- "file:line" of the scenario code that called the current constructor, and the frame info.
local function here()
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
  elseif t == "number" or t == "boolean" or t == "nil" then return tostring_(v)
  end
  return "a " .. t
end

-- Restricted Damerau-Levenshtein (optimal string alignment) distance, case-insensitive.
local function distance(a, b)
  a, b = slower(a), slower(b)
  local la, lb = #a, #b
  local d = {}
  for i = 0, la do d[i] = { [0] = i } end
  for j = 1, lb do d[0][j] = j end
  for i = 1, la do
    local ca = sbyte(a, i)
    for j = 1, lb do
      local cb = sbyte(b, j)
      local v = mmin(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (ca == cb and 0 or 1))
      if i > 1 and j > 1 and ca == sbyte(b, j - 1) and sbyte(a, i - 1) == cb then
        v = mmin(v, d[i - 2][j - 2] + 1)
      end
      d[i][j] = v
    end
  end
  return d[la][lb]
end

-- " (did you mean 'x'?)" when one of the candidate strings is close to name, else "".
-- Close means at most 2 edits and at most a third of the name's length (at least 1).
local function did_you_mean(name, candidates)
  if type_(name) ~= "string" then return "" end
  local limit = mmin(2, ceil(#name / 3))
  if limit < 1 then limit = 1 end
  local sorted = {}
  for _, c in ipairs_(candidates) do sorted[#sorted + 1] = c end
  sort(sorted)
  local best, best_d
  for _, c in ipairs_(sorted) do
    local dd = distance(name, c)
    if dd <= limit and (not best_d or dd < best_d) then best, best_d = c, dd end
  end
  if best then return fmt(" (did you mean '%s'?)", best) end
  return ""
end

local function valid_name(s)
  return type_(s) == "string" and sfind(s, "^[%w_%.%-]+$") ~= nil
end

local NAME_RULE = 'a non-empty string of letters, digits, "_", "." and "-"'

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

local function make_object(kind, data, mt)
  local obj = setmetatable_({}, mt or OBJECT_MT)
  KIND[obj], DATA[obj] = kind, data
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
C.pos_int = integer_checker("a positive integer", function(v) return v > 0 end)
-- Counts stored in 32 bits by the engine (workers, replicas, users, erlang k).
C.count = { desc = "a positive integer", fn = function(v)
  local ok, i = C.pos_int.fn(v)
  if ok and i > UINT32_MAX then return false, "at most 4294967295" end
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

-- A node of the network (for links): a service or client handle, or a name.
C.node = { desc = "a service, a client or a name", fn = function(v)
  local kind = KIND[v]
  if kind == "service" or kind == "client" then return true, DATA[v].name end
  if valid_name(v) then return true, v end
  return false
end }

C.arrivals = { desc = "an arrival process (poisson, constant, schedule or bursty)",
  fn = function(v)
    if KIND[v] == "arrival" then return true, DATA[v] end
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
local function check_fields(label, where, t, schema, style)
  style = style or {}
  local known, names = {}, {}
  for i, rule in ipairs_(schema) do known[rule[1]] = rule; names[i] = rule[1] end
  local unknown, positional, npos = {}, {}, 0
  for k, v in next_, t do
    if mtype(k) == "integer" and k >= 1 then
      positional[k] = v
      if k > npos then npos = k end
    elseif type_(k) == "string" then
      if not known[k] then unknown[#unknown + 1] = k end
    else
      fail(where, "%s: unexpected key %s", label, describe(k))
    end
  end
  if #unknown > 0 then
    sort(unknown)
    fail(where, "%s: unknown field '%s'%s", label, unknown[1], did_you_mean(unknown[1], names))
  end
  if npos > 0 and not style.positional then
    local first = 1
    while positional[first] == nil do first = first + 1 end
    fail(where, "%s: unexpected entry %s (fields are written name = value)", label,
      describe(positional[first]))
  end
  local values, ctx = {}, { where = where }
  for _, rule in ipairs_(schema) do
    local name, checker = rule[1], rule[2]
    local shown = style.plain and name or fmt("field '%s'", name)
    local v = rawget_(t, name)
    if v == nil then
      if rule.required then fail(where, "%s: %s is required", label, shown) end
      values[name] = rule.default
    else
      local ok, value = checker.fn(v, ctx)
      if not ok then
        fail(where, "%s: %s must be %s, got %s", label, shown, value or checker.desc, describe(v))
      end
      values[name] = value
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

-- Steps given as a single step or a plain list of steps (false entries skipped): returns the
-- list of step records.
local function to_sequence(v, label, where, allow_empty)
  if KIND[v] == "step" then return { DATA[v] } end
  if not is_plain_table(v) then
    fail(where, "%s: expected a step or a list of steps, got %s", label, describe(v))
  end
  local _, pos, npos = check_fields(label, where, v, {}, { positional = true })
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
local API = {}

---------------------------------------------------------------------------------------------
-- 3. Distributions and arrival processes
---------------------------------------------------------------------------------------------

-- Time helpers: plain numbers of seconds.
local function time_helper(label, factor)
  return function(x)
    if not is_finite(x) then
      fail(here(), "%s: expected a number, got %s", label, describe(x))
    end
    return x * factor
  end
end
API.us, API.ms, API.seconds = time_helper("us", 1e-6), time_helper("ms", 1e-3),
  time_helper("seconds", 1)
API.minutes, API.hours = time_helper("minutes", 60), time_helper("hours", 3600)

-- Sums a list; used by probability checks.
local function sum(list)
  local s = 0
  for _, x in ipairs_(list) do s = s + x end
  return s
end

-- Entries { a, b } of a positional list (mixture, schedule): returns the pairs in order.
local function pairs_of(label, where, pos, npos, shape)
  local out = {}
  for i = 1, npos do
    local e = pos[i]
    if e ~= nil and e ~= false then
      if not is_plain_table(e) or rawget_(e, 1) == nil or rawget_(e, 2) == nil
          or next_(e, next_(e, next_(e))) ~= nil then
        fail(where, "%s: entry #%d must be %s, got %s", label, i, shape, describe(e))
      end
      out[#out + 1] = { rawget_(e, 1), rawget_(e, 2), index = i }
    end
  end
  return out
end

-- A file name from the scenario, resolved against the directory of the scenario file.
local function resolve_path(file, info)
  if ssub(file, 1, 1) == "/" or not info or ssub(info.source, 1, 1) ~= "@" then return file end
  local dir = smatch(ssub(info.source, 2), "^(.*)/[^/]*$")
  if not dir then return file end
  return dir .. "/" .. file
end

-- The text of a data file named by the scenario, or nil and a reason. The C side gives
-- S.read_data (relative to the scenario's directory, regular files only, size cap, confined to
-- the scenario's directory tree unless --unsafe); plain Lua (the test harness) reads with io.
local function read_data(file, info)
  if S.read_data then return S.read_data(file) end
  local fh, err = io_open(resolve_path(file, info), "rb")
  if not fh then
    return nil, fmt("cannot open '%s' (%s)", file, smatch(err or "", ": ([^:]*)$") or err)
  end
  local text = fh:read("a")
  fh:close()
  if not text then return nil, fmt("cannot read '%s'", file) end
  return text
end

-- A CSV cell as a number: decimal notation only (no hexadecimal), else nil.
local function csv_number(cell)
  if sfind(cell, "[xXpP]") then return nil end
  return tonumber_(cell)
end

-- Reads one column of CSV text as non-negative numbers. Returns values, or nil and a message.
-- The first non-blank, non-# line is a header when column is a name or when any of its cells
-- is not a number. Cells are split at commas and trimmed; surrounding quotes are removed; a
-- UTF-8 byte-order mark is skipped. Messages never quote the file's content (a scenario could
-- otherwise read any file through them): they name lines and columns only.
local function read_csv_column(text, file, column)
  if ssub(text, 1, 3) == "\239\187\191" then text = ssub(text, 4) end
  local values, col, lineno = {}, nil, 0
  for line in sgmatch(text .. "\n", "([^\n]*)\n") do
    lineno = lineno + 1
    line = sgsub(line, "\r$", "")
    if not (sfind(line, "^%s*$") or sfind(line, "^%s*#")) then
      local cells = {}
      for cell in sgmatch(line .. ",", "([^,]*),") do
        cell = smatch(cell, "^%s*(.-)%s*$")
        cells[#cells + 1] = smatch(cell, '^"(.*)"$') or cell
      end
      local is_header = false
      if not col then
        if type_(column) == "string" then
          for i, c in ipairs_(cells) do if c == column then col = i end end
          if not col then
            return nil, fmt("'%s' has no column '%s' (its header is line %d)", file, column,
              lineno)
          end
          is_header = true
        else
          col = column or 1
          for _, c in ipairs_(cells) do
            if not csv_number(c) then is_header = true end
          end
        end
      end
      if not is_header then
        local cell = cells[col]
        if cell == nil then
          return nil, fmt("'%s' line %d has no column %d", file, lineno, col)
        end
        local v = csv_number(cell)
        if not (is_finite(v) and v >= 0) then
          return nil, fmt("'%s' line %d, column %d: not a non-negative number", file, lineno, col)
        end
        values[#values + 1] = v
      end
    end
  end
  if #values == 0 then return nil, fmt("'%s' has no values", file) end
  return values
end

--[[
Parameterised constructors (distributions and arrival processes) are described by spec tables:
  args      names of positional arguments, as in exp(mean); absent = table form only
  example   shown when a table-only constructor gets something else
  schema    field rules (see check_fields); checked with the "plain" wording
  positional  true when the table form takes positional entries (empirical, mixture ...)
  forms     alternative parameter sets (see pick_form); build gets the form's index
  build(values, where, ctx) returns the record's fields; ctx = { pos, npos, form, info }
]]
local DIST_SPECS = {}

DIST_SPECS.const = {
  args = { "value" },
  schema = { { "value", C.nonneg_num, required = true } },
  build = function(a) return { value = a.value } end,
}

DIST_SPECS.exp = {
  args = { "mean" },
  schema = { { "mean", C.pos_num, required = true } },
  build = function(a) return { mean = a.mean } end,
}

DIST_SPECS.uniform = {
  args = { "lo", "hi" },
  schema = { { "lo", C.nonneg_num, required = true }, { "hi", C.nonneg_num, required = true } },
  build = function(a, where)
    if a.lo > a.hi then
      fail(where, "uniform: lo must not be greater than hi, got lo = %s, hi = %s",
        tostring_(a.lo), tostring_(a.hi))
    end
    return { lo = a.lo, hi = a.hi }
  end,
}

-- Normal truncated at 0 by the engine: the mean may be negative down to -20 sd.
DIST_SPECS.normal = {
  args = { "mean", "sd" },
  schema = { { "mean", C.num, required = true }, { "sd", C.nonneg_num, required = true } },
  build = function(a, where)
    if a.mean < 0 and a.mean < -20 * a.sd then
      fail(where, "normal: mean must be non-negative (or at least -20 sd), got %s",
        tostring_(a.mean))
    end
    return { mean = a.mean, sd = a.sd }
  end,
}

DIST_SPECS.lognormal = {
  example = "lognormal { median = ms(10), p99 = ms(80) }",
  schema = {
    { "median", C.pos_num }, { "p99", C.pos_num },
    { "mean", C.pos_num }, { "sd", C.nonneg_num },
    { "mu", C.num }, { "sigma", C.nonneg_num },
  },
  forms = { { "median", "p99" }, { "mean", "sd" }, { "mu", "sigma" } },
  build = function(a, where, ctx)
    if ctx.form == 1 then
      if a.median > a.p99 then
        fail(where, "lognormal: median must not be greater than p99, got median = %s, p99 = %s",
          tostring_(a.median), tostring_(a.p99))
      end
      local mu = mlog(a.median)
      return { mu = mu, sigma = (mlog(a.p99) - mu) / Z99 }
    elseif ctx.form == 2 then
      local s2 = mlog(1 + (a.sd * a.sd) / (a.mean * a.mean))
      return { mu = mlog(a.mean) - s2 / 2, sigma = sqrt(s2) }
    end
    return { mu = a.mu, sigma = a.sigma }
  end,
}

DIST_SPECS.gamma = {
  example = "gamma { shape = 2, mean = ms(10) }",
  schema = { { "shape", C.pos_num, required = true }, { "mean", C.pos_num, required = true } },
  build = function(a) return { shape = a.shape, mean = a.mean } end,
}

DIST_SPECS.erlang = {
  args = { "k", "mean" },
  schema = { { "k", C.count, required = true }, { "mean", C.pos_num, required = true } },
  build = function(a) return { k = a.k, mean = a.mean } end,
}

DIST_SPECS.weibull = {
  example = "weibull { shape = 1.5, mean = ms(10) }",
  schema = { { "shape", C.pos_num, required = true }, { "mean", C.pos_num, required = true } },
  build = function(a) return { shape = a.shape, mean = a.mean } end,
}

DIST_SPECS.pareto = {
  example = "pareto { alpha = 2.5, mean = ms(10) }",
  schema = { { "alpha", C.pos_num }, { "mean", C.pos_num }, { "min", C.pos_num } },
  forms = { { "alpha", "mean" }, { "alpha", "min" } },
  build = function(a, where, ctx)
    if ctx.form == 1 then
      if a.alpha <= 1 then
        fail(where, "pareto: alpha must be greater than 1 when the mean is given, got %s",
          tostring_(a.alpha))
      end
      return { alpha = a.alpha, min = a.mean * (a.alpha - 1) / a.alpha }
    end
    return { alpha = a.alpha, min = a.min }
  end,
}

DIST_SPECS.hyperexp = {
  example = "hyperexp { mean = ms(10), scv = 4 }",
  schema = {
    { "mean", C.pos_num }, { "scv", C.pos_num },
    { "probs", C.nonneg_list }, { "means", C.pos_list },
  },
  forms = { { "mean", "scv" }, { "probs", "means" } },
  build = function(a, where, ctx)
    if ctx.form == 1 then
      if a.scv < 1 then
        fail(where, "hyperexp: scv must be at least 1, got %s", tostring_(a.scv))
      end
      local p1 = (1 + sqrt((a.scv - 1) / (a.scv + 1))) / 2
      local p2 = 1 - p1
      return { probs = { p1, p2 }, means = { a.mean / (2 * p1), a.mean / (2 * p2) } }
    end
    if #a.probs ~= #a.means then
      fail(where, "hyperexp: probs and means must have the same length, got %d and %d",
        #a.probs, #a.means)
    end
    local total = sum(a.probs)
    if mabs(total - 1) > 1e-9 then
      fail(where, "hyperexp: probs must sum to 1, got %s", tostring_(total))
    end
    return { probs = a.probs, means = a.means }
  end,
}

DIST_SPECS.empirical = {
  example = 'empirical { 0.010, 0.012, 0.031 } or empirical { file = "data.csv", column = "t" }',
  positional = true,
  schema = { { "file", C.string }, { "column", C.column } },
  build = function(a, where, ctx)
    if a.file then
      if ctx.npos > 0 then
        fail(where, "empirical: give either values or file = ..., not both")
      end
      local text, rerr = read_data(a.file, ctx.info)
      if not text then fail(where, "empirical: %s", rerr) end
      local values, err = read_csv_column(text, a.file, a.column)
      if not values then fail(where, "empirical: %s", err) end
      return { values = values }
    end
    if a.column then fail(where, "empirical: column = ... needs file = ...") end
    local values = {}
    for i = 1, ctx.npos do
      local v = ctx.pos[i]
      if v ~= nil and v ~= false then
        if not (is_finite(v) and v >= 0) then
          fail(where, "empirical: value #%d must be a non-negative number, got %s", i, describe(v))
        end
        values[#values + 1] = v
      end
    end
    if #values == 0 then
      fail(where, "empirical: needs at least one value, as in %s", DIST_SPECS.empirical.example)
    end
    return { values = values }
  end,
}

-- Mixture weights are relative: they are normalised to sum to 1.
DIST_SPECS.mixture = {
  example = "mixture { { 0.9, exp(ms(5)) }, { 0.1, exp(ms(200)) } }",
  positional = true,
  schema = {},
  build = function(_, where, ctx)
    local entries = pairs_of("mixture", where, ctx.pos, ctx.npos, "{ weight, distribution }")
    if #entries == 0 then
      fail(where, "mixture: needs at least one entry, as in %s", DIST_SPECS.mixture.example)
    end
    local weights, parts, total = {}, {}, 0
    for i, e in ipairs_(entries) do
      local w, d = e[1], e[2]
      if not (is_finite(w) and w > 0) then
        fail(where, "mixture: the weight of entry #%d must be a positive number, got %s",
          e.index, describe(w))
      end
      local ok, rec = C.dist.fn(d, { where = where })
      if not ok then
        fail(where, "mixture: the part of entry #%d must be %s, got %s", e.index, C.dist.desc,
          describe(d))
      end
      weights[i], parts[i], total = w, rec, total + w
    end
    for i = 1, #weights do weights[i] = weights[i] / total end
    return { weights = weights, parts = parts }
  end,
}

-- Arrival processes of open clients.
local ARRIVAL_SPECS = {}

ARRIVAL_SPECS.poisson = {
  args = { "rate" },
  schema = { { "rate", C.pos_num, required = true } },
  build = function(a) return { rate = a.rate } end,
}

ARRIVAL_SPECS.constant = {
  args = { "rate" },
  schema = { { "rate", C.pos_num, required = true } },
  build = function(a) return { rate = a.rate } end,
}

-- Piecewise-constant Poisson rate: { { t0 = 0, rate0 }, { t1, rate1 }, ... }.
ARRIVAL_SPECS.schedule = {
  example = "schedule { { 0, 10 }, { minutes(5), 50 } }",
  positional = true,
  schema = {},
  build = function(_, where, ctx)
    local entries = pairs_of("schedule", where, ctx.pos, ctx.npos, "{ time, rate }")
    if #entries == 0 then
      fail(where, "schedule: needs at least one entry, as in %s", ARRIVAL_SPECS.schedule.example)
    end
    local times, rates, positive = {}, {}, false
    for i, e in ipairs_(entries) do
      local t, r = e[1], e[2]
      if not (is_finite(t) and t >= 0) then
        fail(where, "schedule: the time of entry #%d must be a non-negative number, got %s",
          e.index, describe(t))
      end
      if i == 1 and t ~= 0 then
        fail(where, "schedule: the first entry must start at time 0, got %s", tostring_(t))
      end
      if i > 1 and t <= times[i - 1] then
        fail(where, "schedule: times must increase, got %s after %s", tostring_(t),
          tostring_(times[i - 1]))
      end
      if not (is_finite(r) and r >= 0) then
        fail(where, "schedule: the rate of entry #%d must be a non-negative number, got %s",
          e.index, describe(r))
      end
      if r > 0 then positive = true end
      times[i], rates[i] = t, r
    end
    if not positive then fail(where, "schedule: every rate is zero") end
    return { times = times, rates = rates }
  end,
}

-- On/off source: Poisson at rate during "on" periods, silent during "off" periods.
ARRIVAL_SPECS.bursty = {
  example = "bursty { rate = 100, on = exp(10), off = exp(50) }",
  schema = {
    { "rate", C.pos_num, required = true },
    { "on", C.dist, required = true },
    { "off", C.dist, required = true },
  },
  build = function(a) return { rate = a.rate, on = a.on, off = a.off } end,
}

-- Turns a spec into a constructor that returns an object of the given kind.
local function param_ctor(label, spec, kind)
  return function(...)
    local where, info = here()
    local n, first = select_("#", ...), ...
    local t
    if n == 1 and is_plain_table(first) then
      t = first
    elseif spec.args then
      if n > #spec.args then
        fail(where, "%s: expected at most %d argument%s, got %d", label, #spec.args,
          #spec.args == 1 and "" or "s", n)
      end
      t = {}
      for i, name in ipairs_(spec.args) do t[name] = (select_(i, ...)) end
    else
      fail(where, "%s: expected a table, as in %s", label, spec.example)
    end
    local values, pos, npos = check_fields(label, where, t, spec.schema,
      { plain = true, positional = spec.positional })
    local form = spec.forms and pick_form(label, where, values, spec.schema, spec.forms)
    local data = spec.build(values, where, { pos = pos, npos = npos, form = form, info = info })
    data.kind, data.where = label, where
    return make_object(kind, data)
  end
end

for name, spec in pairs_(DIST_SPECS) do API[name] = param_ctor(name, spec, "dist") end
for name, spec in pairs_(ARRIVAL_SPECS) do API[name] = param_ctor(name, spec, "arrival") end

---------------------------------------------------------------------------------------------
-- 4. Steps, endpoints, services, clients, links, run, param
---------------------------------------------------------------------------------------------

local function step(data) return make_object("step", data) end

-- work(dist) and sleep(dist): hold the worker (work) or only the request (sleep).
local function dist_step(op)
  return function(...)
    local where = here()
    if select_("#", ...) ~= 1 then
      fail(where, "%s: expected one distribution, as in %s(ms(5))", op, op)
    end
    local ok, d = C.dist.fn((...), { where = where })
    if not ok then fail(where, "%s: expected %s, got %s", op, C.dist.desc, describe((...))) end
    return step({ op = op, dist = d, where = where })
  end
end
API.work, API.sleep = dist_step("work"), dist_step("sleep")

local CALL_SCHEMA = {
  { "endpoint", C.name },
  { "blocking", C.bool, default = true },
}

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
  return step({ op = "call", target = tgt, blocking = o.blocking, where = where })
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
  return step({ op = "parallel", branches = branches, join = join, quorum = quorum,
                blocking = f.blocking, where = where })
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
  local probs, arms = {}, {}
  for i = 1, npos do
    local e = pos[i]
    if e ~= nil and e ~= false then
      local label = fmt("branch: arm #%d", i)
      if not is_plain_table(e) then
        fail(where, "%s must be { probability, steps... }, got %s", label, describe(e))
      end
      local _, apos, an = check_fields(label, where, e, {}, { positional = true })
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
  return step({ op = "branch", probs = probs, arms = arms, where = where })
end

-- Registers a name of the network (services and clients share one namespace).
local function claim_name(name, title, kind, where)
  local prev = S.nodes[name]
  if prev then
    fail(where, '%s: the name "%s" is already used by the %s defined at %s', title, name,
      prev.kind, prev.where)
  end
  S.nodes[name] = { kind = kind, where = where }
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
    local title = fmt('%s "%s"', label, name)
    local token = { where = where, title = title, done = false }
    S.pending[#S.pending + 1] = token
    local function take_body(t)
      local w = here()
      if not is_plain_table(t) then
        fail(w, "%s: expected a table of fields, as in %s { ... }, got %s", title, title,
          describe(t))
      end
      token.done = true
      return body_fn(name, title, w, t)
    end
    if body ~= nil then return take_body(body) end
    return take_body
  end
end

-- endpoint "name" { steps... }
API.endpoint = named_ctor("endpoint", function(name, title, where, t)
  local steps = to_sequence(t, title, where, false)
  return make_object("endpoint", { name = name, where = where, steps = steps })
end)

local SERVICE_SCHEMA = {
  { "workers", C.count, default = 1 },
  { "queue", C.nonneg_int },
  { "discipline", C.oneof({ "fifo", "lifo", "priority" }), default = "fifo" },
  { "replicas", C.count, default = 1 },
  { "balancer", C.oneof({ "round_robin", "random", "least_outstanding", "power_of_two" }),
    default = "round_robin" },
  { "work", C.dist },
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
    endpoints = endpoints, by_ep = by_ep, ep_names = ep_names,
  }
  S.services[#S.services + 1] = rec
  S.service_by_name[name] = rec
  return make_object("service", rec, SERVICE_MT)
end)

local CLIENT_SCHEMA = {
  { "target", C.target, required = true },
  { "endpoint", C.name },
  { "arrivals", C.arrivals },
  { "users", C.count },
  { "think", C.dist },
  { "timeout", C.pos_num },
  { "limit", C.pos_int },
  { "priority", C.int, default = 0 },
  { "start", C.nonneg_num, default = 0 },
}

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
    timeout = f.timeout, limit = f.limit, priority = f.priority, start = f.start,
  }
  S.clients[#S.clients + 1] = rec
  return make_object("client", rec)
end)

local LINK_SCHEMA = {
  { "from", C.node },
  { "to", C.node },
  { "latency", C.dist, required = true },
}

-- link { latency = d } (the default for every hop) or link { from = a, to = b, latency = d }.
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
    if S.link then
      fail(where, "link: the default link is already set at %s (give from/to for one pair)",
        S.link.where)
    end
    S.link = { latency = f.latency, where = where }
  else
    if f.from == f.to then fail(where, "link: from and to are the same ('%s')", f.from) end
    S.links[#S.links + 1] = { from = f.from, to = f.to, latency = f.latency, where = where }
  end
end

local RUN_SCHEMA = {
  { "duration", C.pos_num, required = true },
  { "warmup", C.nonneg_num, default = 0 },
  { "sample", C.pos_num },
  { "seed", C.nonneg_int },
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
  local sample = f.sample or f.duration / 60
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
    local v = tonumber_(s)
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
    if prev.default ~= default then
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

---------------------------------------------------------------------------------------------
-- 5. The sandbox environment
---------------------------------------------------------------------------------------------

-- Standard functions shared with the scenario as they are.
local SAFE_BASE = {
  assert = assert, error = error, ipairs = ipairs, pairs = pairs, next = next,
  select = select, tonumber = tonumber, tostring = tostring, type = type, pcall = pcall,
  xpcall = xpcall, setmetatable = setmetatable, getmetatable = getmetatable,
  rawequal = rawequal, rawget = rawget, rawset = rawset, rawlen = rawlen,
  unpack = table.unpack,
}

-- Names of the standard library that the sandbox withholds (better message than a typo hint).
local WITHHELD = {
  os = true, io = true, require = true, dofile = true, loadfile = true, debug = true,
  package = true, collectgarbage = true, loadstring = true,
}

local function copy_table(t, except)
  local c = {}
  for k, v in pairs_(t) do if not (except and except[k]) then c[k] = v end end
  return c
end

local function scenario_print(...)
  local parts = {}
  for i = 1, select_("#", ...) do parts[i] = tostring_((select_(i, ...))) end
  S.emit("[scenario] " .. concat(parts, "\t") .. "\n")
end

local function build_env()
  local builtins = copy_table(SAFE_BASE)
  for k, v in pairs_(API) do builtins[k] = v end
  builtins.print = scenario_print
  builtins.math = copy_table(math)
  builtins.math.random = S.random
  builtins.math.randomseed = function() end
  builtins.string = copy_table(string, { dump = true })
  builtins.table = copy_table(table)
  builtins.utf8 = copy_table(utf8)
  if S.unsafe then
    builtins.os, builtins.io, builtins.require = os, io, require
  end
  local names = {}
  for k in pairs_(builtins) do names[#names + 1] = k end

  local env = {}
  -- load() for text chunks only; they run in the sandbox unless given another environment.
  builtins.load = function(chunk, chunkname, _, chunkenv)
    if chunkenv == nil then chunkenv = env end
    return load_(chunk, chunkname, "t", chunkenv)
  end
  builtins._G = env
  names[#names + 1] = "load"

  -- The environment itself stays empty: reads go through __index (strict), writes are errors.
  setmetatable_(env, {
    __index = function(_, k)
      local v = builtins[k]
      if v ~= nil then return v end
      local where = here()
      if WITHHELD[k] then
        fail(where, "unknown name '%s' (not available in the scenario sandbox)", k)
      end
      fail(where, "unknown name %s%s",
        type_(k) == "string" and "'" .. k .. "'" or describe(k), did_you_mean(k, names))
    end,
    __newindex = function(_, k)
      local where = here()
      if builtins[k] ~= nil then
        fail(where, "assignment to built-in name '%s' (use a local with another name)", tostring_(k))
      end
      fail(where, "assignment to undeclared global '%s' (use local)", tostring_(k))
    end,
    __metatable = false,
  })
  return env
end

---------------------------------------------------------------------------------------------
-- 6. finish(): whole-model checks and the SPEC table
---------------------------------------------------------------------------------------------

-- Deep copy of a distribution record into a plain SPEC table.
local function dist_spec(d)
  local out = {}
  for k, v in pairs_(d) do
    if k == "parts" then
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
local function resolve_target(tgt, where, prefix)
  local svc = S.service_by_name[tgt.service]
  if not svc then
    local node = S.nodes[tgt.service]
    if node then
      fail(where, "%s'%s' is a %s, not a service", prefix, tgt.service, node.kind)
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

-- SPEC steps for a list of step records; call edges are appended to edges.
local function steps_spec(list, edges)
  local out = {}
  for i, s in ipairs_(list) do
    local op = s.op
    if op == "work" or op == "sleep" then
      out[i] = { op = op, dist = dist_spec(s.dist), where = s.where }
    elseif op == "call" then
      local svc, ep = resolve_target(s.target, s.where, "")
      edges[#edges + 1] = { to = svc .. "." .. ep, where = s.where }
      out[i] = { op = "call", service = svc, endpoint = ep, blocking = s.blocking,
                 where = s.where }
    elseif op == "parallel" then
      local branches = {}
      for j, b in ipairs_(s.branches) do branches[j] = steps_spec(b, edges) end
      out[i] = { op = "parallel", branches = branches, join = s.join, quorum = s.quorum,
                 blocking = s.blocking, where = s.where }
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

function M.finish()
  -- Constructors whose body never came: service "web" without { ... }.
  for _, tok in ipairs_(S.pending) do
    if not tok.done then
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
    fail(nil, "--set %s: the scenario has no param '%s'%s", unused[1], unused[1],
      did_you_mean(unused[1], asked))
  end

  if not S.run then
    fail(nil, "%s: scenario has no run { ... } block", S.source or S.path or "scenario")
  end

  local spec = { params = {}, services = {}, clients = {}, links = {} }
  for i, p in ipairs_(S.params) do
    spec.params[i] = { name = p.name, default = p.default, value = p.value }
  end
  local r = S.run
  spec.run = { duration = r.duration, warmup = r.warmup, sample = r.sample, seed = r.seed,
               where = r.where }

  -- Links: names must exist; one link per unordered pair.
  spec.link = S.link and { latency = dist_spec(S.link.latency), where = S.link.where } or {}
  local seen = {}
  for i, l in ipairs_(S.links) do
    for _, n in ipairs_({ l.from, l.to }) do
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
    spec.links[i] = { from = l.from, to = l.to, latency = dist_spec(l.latency), where = l.where }
  end

  -- Services, with call targets resolved and the call graph collected.
  local order, edges = {}, {}
  for i, s in ipairs_(S.services) do
    local eps = {}
    for j, ep in ipairs_(s.endpoints) do
      local node = s.name .. "." .. ep.name
      order[#order + 1] = node
      edges[node] = edges[node] or {}
      eps[j] = { name = ep.name, where = ep.where, steps = steps_spec(ep.steps, edges[node]) }
    end
    spec.services[i] = {
      name = s.name, workers = s.workers, queue = s.queue, discipline = s.discipline,
      replicas = s.replicas, balancer = s.balancer, where = s.where, endpoints = eps,
    }
  end
  check_cycles(order, edges)

  for i, c in ipairs_(S.clients) do
    local svc, ep = resolve_target(c.target, c.where, fmt('client "%s": target: ', c.name))
    spec.clients[i] = {
      name = c.name, target = svc, endpoint = ep, kind = c.kind,
      arrivals = c.arrivals and arrivals_spec(c.arrivals) or nil,
      users = c.users, think = c.think and dist_spec(c.think) or nil,
      timeout = c.timeout, limit = c.limit, priority = c.priority, start = c.start,
      where = c.where,
    }
  end
  return spec
end

---------------------------------------------------------------------------------------------
-- Entry points
---------------------------------------------------------------------------------------------

function M.setup(opts)
  opts = opts or {}
  local overrides = {}
  for k, v in pairs_(opts.overrides or {}) do overrides[tostring_(k)] = tostring_(v) end
  S = {
    overrides = overrides,
    random = opts.random or math.random,
    emit = opts.emit or function(text) stderr:write(text) end,
    read_data = opts.read_data,
    unsafe = opts.unsafe and true or false,
    path = opts.path,
    params = {}, param_by_name = {},
    services = {}, service_by_name = {}, clients = {},
    nodes = {}, node_names = {},
    link = nil, links = {},
    run = nil,
    pending = {},
    source = nil,
    env = nil,
  }
end

function M.env()
  if not S then M.setup({}) end
  if not S.env then S.env = build_env() end
  return S.env
end

return M
