--[[
dist: time helpers, distributions and arrival processes.

Each parameterised constructor is described by a spec table (arguments, schema, forms,
build); param_ctor turns a spec into the scenario-facing function. Also reads the CSV data
of empirical { file = ... } through the C side's confined reader.
]]

local need = ...

-- Library functions captured at load time (the scenario may replace the originals).
local fmt = string.format
local io_open = io.open
local huge = math.huge
local ipairs_ = ipairs
local sbyte = string.byte
local setmetatable_ = setmetatable
local mabs = math.abs
local mlog = math.log
local next_ = next
local pairs_ = pairs
local rawget_ = rawget
local select_ = select
local sfind = string.find
local sgmatch = string.gmatch
local sgsub = string.gsub
local smatch = string.match
local sqrt = math.sqrt
local getinfo = debug.getinfo
local ssub = string.sub
local tonumber_ = tonumber
local tostring_ = tostring
local type_ = type
local _check = need("check")   -- shared helpers (see check.lua)
local MAX_DEPTH = _check.MAX_DEPTH
local warn = _check.warn
local C = _check.C
local S = _check.S
local Z99 = _check.Z99
local check_fields = _check.check_fields
local checked = _check.checked
local check_holes = _check.check_holes
local MAX_EXPANDED = _check.MAX_EXPANDED
local RATE_MAX = _check.RATE_MAX
local describe = _check.describe
local fail = _check.fail
local here = _check.here
local is_finite = _check.is_finite
local is_plain_table = _check.is_plain_table
local make_object = _check.make_object
local pick_form = _check.pick_form
local API = {}

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
  check_holes(label, where, pos, npos)
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
  if not S.unsafe then   -- the C reader's confinement, checked on the name only
    if ssub(file, 1, 1) == "/" then
      return nil, fmt("'%s' is an absolute path (data files must be inside the scenario's "
        .. "directory; --unsafe lifts this)", file)
    end
    local depth = 0
    for part in sgmatch(file, "[^/]+") do
      if part == ".." then depth = depth - 1 elseif part ~= "." then depth = depth + 1 end
      if depth < 0 then
        return nil, fmt("'%s' is outside the scenario's directory (--unsafe lifts this)", file)
      end
    end
  end
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
    local first = sfind(line, "[^%s]")
    if sbyte(line, -1) == 13 then line = ssub(line, 1, -2) end
    -- Fast path: a line that is one plain decimal number in column 1.
    local v = first and col == 1 and not sfind(line, "[,xX\"#]") and tonumber_(line)
    if v and v >= 0 and v < huge then
      values[#values + 1] = v
    elseif first and sbyte(line, first) ~= 35 then
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

-- Nesting depth of mixture records (weak; records of other kinds are depth 0).
local DEPTH = setmetatable_({}, { __mode = "k" })

-- True when the law is the point mass at 0 (every sample is 0).
local function mean_is_zero(d)
  local k = d.kind
  if k == "const" then return d.value == 0 end
  if k == "uniform" then return d.hi == 0 end
  if k == "normal" then return d.sd == 0 and d.mean <= 0 end
  if k == "empirical" then
    for _, v in ipairs_(d.values) do if v > 0 then return false end end
    return true
  end
  if k == "mixture" then
    for _, p in ipairs_(d.parts) do if not mean_is_zero(p) then return false end end
    return true
  end
  return false   -- every other law has a positive mean
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
  -- The engine's limits: exp(mu) a usable duration and the mean exp(mu + sigma^2/2) finite.
  check = function(d, where)
    if d.mu > 700 or d.mu < -700 then
      fail(where, "lognormal: mu must be between -700 and 700, got %s", tostring_(d.mu))
    end
    if d.mu + d.sigma * d.sigma / 2 > 700 then
      fail(where, "lognormal: the mean exp(mu + sigma^2/2) is too large (mu + sigma^2/2 = %s, "
        .. "at most 700)", tostring_(d.mu + d.sigma * d.sigma / 2))
    end
  end,
}

-- log Gamma(x) for x > 0: the recurrence up to 10, then Stirling's series (error below 1e-10,
-- plenty for the range checks below).
local function log_gamma(x)
  local acc = 0
  while x < 10 do
    acc = acc - mlog(x)
    x = x + 1
  end
  local x2 = x * x
  return acc + (x - 0.5) * mlog(x) - x + 0.91893853320467274
    + 1 / (12 * x) - 1 / (360 * x * x2) + 1 / (1260 * x * x2 * x2)
end

-- Shapes below this make gamma and weibull degenerate (almost every sample 0 or beyond any
-- float; for weibull, Gamma(1 + 1/shape) overflows): refused.
local SHAPE_MIN = 1e-4
local DBL_MIN = 2.2250738585072014e-308

local function check_shape(label, name, where, v)
  if v < SHAPE_MIN then
    fail(where, "%s: %s must be at least 0.0001 (smaller values make the law degenerate), got %s",
      label, name, tostring_(v))
  end
end

DIST_SPECS.gamma = {
  example = "gamma { shape = 2, mean = ms(10) }",
  schema = { { "shape", C.pos_num, required = true }, { "mean", C.pos_num, required = true } },
  build = function(a, where)
    check_shape("gamma", "shape", where, a.shape)
    local scale = a.mean / a.shape
    if not (scale >= DBL_MIN and scale < huge) then
      fail(where, "gamma: the scale mean / shape is out of range (mean = %s, shape = %s)",
        tostring_(a.mean), tostring_(a.shape))
    end
    return { shape = a.shape, mean = a.mean }
  end,
}

DIST_SPECS.erlang = {
  args = { "k", "mean" },
  schema = { { "k", C.count, required = true }, { "mean", C.pos_num, required = true } },
  build = function(a, where)
    if not (a.mean / a.k >= DBL_MIN) then
      fail(where, "erlang: the scale mean / k is too small (mean = %s, k = %d)",
        tostring_(a.mean), a.k)
    end
    return { k = a.k, mean = a.mean }
  end,
}

DIST_SPECS.weibull = {
  example = "weibull { shape = 1.5, mean = ms(10) }",
  schema = { { "shape", C.pos_num, required = true }, { "mean", C.pos_num, required = true } },
  build = function(a, where)
    check_shape("weibull", "shape", where, a.shape)
    -- The engine's scale: mean / Gamma(1 + 1/shape), a normal positive float.
    local log_scale = mlog(a.mean) - log_gamma(1 + 1 / a.shape)
    if not (log_scale > -708) then
      fail(where, "weibull: the scale mean / Gamma(1 + 1/shape) underflows (shape = %s, "
        .. "mean = %s); use a larger shape or mean", tostring_(a.shape), tostring_(a.mean))
    end
    return { shape = a.shape, mean = a.mean }
  end,
}

DIST_SPECS.pareto = {
  example = "pareto { alpha = 2.5, mean = ms(10) }",
  schema = { { "alpha", C.pos_num }, { "mean", C.pos_num }, { "min", C.pos_num } },
  forms = { { "alpha", "mean" }, { "alpha", "min" } },
  build = function(a, where, ctx)
    -- min * U^(-1/alpha) overflows for small alpha even at moderate U.
    if a.alpha < 0.1 then
      fail(where, "pareto: alpha must be at least 0.1 (smaller values make samples overflow), "
        .. "got %s", tostring_(a.alpha))
    end
    if ctx.form == 1 then
      if a.alpha <= 1 then
        fail(where, "pareto: alpha must be greater than 1 when the mean is given, got %s",
          tostring_(a.alpha))
      end
      return { alpha = a.alpha, min = a.mean * (a.alpha - 1) / a.alpha }
    end
    if a.alpha <= 1 then
      warn(where, "pareto: alpha = %s gives an infinite mean; samples can be far longer than "
        .. "the run, and requests that draw them never finish", tostring_(a.alpha))
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
    local size = 1
    for _, p in ipairs_(parts) do size = size + (p.size or 1) end
    if size > MAX_EXPANDED then
      fail(where, "mixture: too large once expanded (%.0f distributions, at most %d; a "
        .. "distribution used as a part several times counts once per use)", size, MAX_EXPANDED)
    end
    local depth = 0
    for _, p in ipairs_(parts) do
      if DEPTH[p] and DEPTH[p] > depth then depth = DEPTH[p] end
    end
    if depth + 1 > MAX_DEPTH then
      fail(where, "mixture: nested too deeply (more than %d levels)", MAX_DEPTH)
    end
    return { weights = weights, parts = parts, size = size }, depth + 1
  end,
}

-- Arrival processes of open clients.
local ARRIVAL_SPECS = {}

ARRIVAL_SPECS.poisson = {
  args = { "rate" },
  schema = { { "rate", C.rate, required = true } },
  build = function(a) return { rate = a.rate } end,
}

ARRIVAL_SPECS.constant = {
  args = { "rate" },
  schema = { { "rate", C.rate, required = true } },
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
      if r > RATE_MAX then
        fail(where, "schedule: the rate of entry #%d must be at most 1e9 per second, got %.17g",
          e.index, r)
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
    { "rate", C.rate, required = true },
    { "on", C.dist, required = true },
    { "off", C.dist, required = true },
  },
  build = function(a, where)
    if mean_is_zero(a.on) then
      fail(where, "bursty: on must have a positive mean (on periods of length 0 send nothing)")
    end
    return { rate = a.rate, on = a.on, off = a.off }
  end,
}

-- Whether a spec's arguments are its whole schema, in order, each required, with no form,
-- no positional entry and a build that reads only the values and the location: then a call
-- with its arguments all given (exp(0.1), poisson(5)) needs no table of fields, since
-- check_fields would visit exactly the arguments, in their order, with the same checkers.
local function plain_args(spec)
  local args, schema = spec.args, spec.schema
  if not args or #args ~= #schema or spec.forms or spec.positional or spec.check then
    return false
  end
  for i, rule in ipairs_(schema) do
    if rule[1] ~= args[i] or not rule.required or rule.default ~= nil then return false end
  end
  local info = getinfo(spec.build, "u")
  return info.nparams <= 2 and not info.isvararg
end

local PLAIN_STYLE = { plain = true }

-- Turns a spec into a constructor that returns an object of the given kind.
local function param_ctor(label, spec, kind)
  local nargs, schema = spec.args and #spec.args, spec.schema
  local fast = plain_args(spec)
  -- The object of what spec.build made, by either path below.
  local function object_of(data, depth, where)
    data.kind, data.where = label, where
    if spec.check then spec.check(data, where) end
    if depth then DEPTH[data] = depth end
    return make_object(kind, data)
  end
  return function(...)
    local where, info = here()
    local n, first = select_("#", ...), ...
    if fast and n == nargs and type_(first) == "number" then
      -- The arguments in order, each by its rule's checker, as check_fields would.
      local values, ctx = {}, { where = where }
      for i = 1, n do
        local v = (select_(i, ...))
        if v == nil then values = nil break end
        values[schema[i][1]] = checked(label, where, schema[i], v, ctx, PLAIN_STYLE)
      end
      if values then
        local data, depth = spec.build(values, where)
        return object_of(data, depth, where)
      end
    end
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
    local data, depth = spec.build(values, where,
      { pos = pos, npos = npos, form = form, info = info })
    return object_of(data, depth, where)
  end
end

for name, spec in pairs_(DIST_SPECS) do API[name] = param_ctor(name, spec, "dist") end
for name, spec in pairs_(ARRIVAL_SPECS) do API[name] = param_ctor(name, spec, "arrival") end

return {
  sum = sum,
  API = API,
  DIST_SPECS = DIST_SPECS,
  ARRIVAL_SPECS = ARRIVAL_SPECS,
}
