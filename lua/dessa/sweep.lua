--[[
sweep: the experiment a scenario declares — sweep { ... }, range, geometric, zip — and the
points it expands to.

  sweep { rate = range(100, 1000, 100), mode = { "sync", "async" }, reps = 10,
          zip { users = { 10, 20 }, think = { 1, 2 } },      -- vary together
          where = function(p) return p.mode == "sync" or p.rate <= 800 end }

Every swept name must be a param of the scenario. The points are the product of the
dimensions (a zip is one dimension), in the order the params were declared, the first varying
slowest; `where` removes points. Each point is a list of values as text: the C side reloads
the scenario with them as --set overrides, so a point runs exactly the model `dessa run --set`
would. `dessa sweep --param NAME=V1,V2,...` replaces (or adds) a dimension.
]]

local need = ...

local fmt = string.format
local getmetatable_, setmetatable_ = getmetatable, setmetatable
local concat = table.concat
local sort = table.sort
local floor = math.floor
local ipairs_, pairs_ = ipairs, pairs
local mtype = math.type
local sfind = string.find
local ssub = string.sub
local tonumber_, tostring_, type_ = tonumber, tostring, type
local _check = need("check")
local S = _check.S
local describe = _check.describe
local did_you_mean = _check.did_you_mean
local fail = _check.fail
local here = _check.here
local is_finite = _check.is_finite
local is_plain_table = _check.is_plain_table
local valid_name = _check.valid_name

local API = {}
local MAX_VALUES = 100000     -- values in one list
local MAX_POINTS = 1000000    -- points of a sweep
local ZIP_MT = {}             -- marks the tables zip returns
local RESERVED = { point = true, rep = true }   -- context columns of sweep.csv

-- A number as the shortest text that reads back to the same number.
local function number_text(v)
  if mtype(v) == "integer" then return fmt("%d", v) end
  if v == floor(v) and v > -2^53 and v < 2^53 then return fmt("%.0f", v) end
  for digits = 15, 17 do
    local s = fmt("%." .. digits .. "g", v)
    if tonumber_(s) == v then return s end
  end
  return fmt("%.17g", v)
end

local function value_text(v)
  local t = type_(v)
  if t == "number" then return number_text(v) end
  if t == "boolean" then return v and "true" or "false" end
  return v
end

local function count_steps(from, to, step)
  return floor((to - from) / step + 1e-9) + 1
end

-- range(from, to, step): from, from + step, ... up to to (included when it falls on a step).
function API.range(from, to, step)
  local where = here()
  step = step == nil and 1 or step
  for _, a in ipairs_({ { "from", from }, { "to", to }, { "step", step } }) do
    if type_(a[2]) ~= "number" or not is_finite(a[2]) then
      fail(where, "range: %s must be a finite number, got %s", a[1], describe(a[2]))
    end
  end
  if step == 0 or (to - from) * step < 0 then
    fail(where, "range(%s, %s, %s): the step never reaches the end", tostring_(from),
      tostring_(to), tostring_(step))
  end
  local n = count_steps(from, to, step)
  if n > MAX_VALUES then
    fail(where, "range(%s, %s, %s): %d values, at most %d", tostring_(from), tostring_(to),
      tostring_(step), n, MAX_VALUES)
  end
  local all_int = mtype(from) == "integer" and mtype(step) == "integer"
  local out = {}
  for i = 0, n - 1 do
    -- from + i * step, not a running sum: no drift over long ranges; 15 significant digits
    -- drop the binary noise (0.1 + 2 * 0.1 is 0.3, not 0.30000000000000004).
    out[i + 1] = all_int and from + i * step or tonumber_(fmt("%.15g", from + i * step))
  end
  return out
end

-- geometric(from, to, n): n values from `from` to `to`, each the same factor above the last.
function API.geometric(from, to, n)
  local where = here()
  for _, a in ipairs_({ { "from", from }, { "to", to } }) do
    if type_(a[2]) ~= "number" or not is_finite(a[2]) or a[2] <= 0 then
      fail(where, "geometric: %s must be a positive finite number, got %s", a[1], describe(a[2]))
    end
  end
  if mtype(n) ~= "integer" and not (type_(n) == "number" and n == floor(n)) or n < 2
      or n > MAX_VALUES then
    fail(where, "geometric: n must be an integer from 2 to %d, got %s", MAX_VALUES, describe(n))
  end
  local out = {}
  for i = 0, n - 1 do
    out[i + 1] = tonumber_(fmt("%.15g", from * (to / from) ^ (i / (n - 1))))
  end
  out[1], out[n] = from + 0.0, to + 0.0   -- the ends exactly as given
  return out
end

-- zip { a = {...}, b = {...} }: parameters that vary together (lists of equal length).
function API.zip(t)
  local where = here()
  if not is_plain_table(t) then
    fail(where, "zip: expected a table of lists, as in zip { users = { 10, 20 }, think = { 1, 2 } }, "
      .. "got %s", describe(t))
  end
  local z = { where = where, names = {}, lists = {} }
  for k, v in pairs_(t) do
    if type_(k) ~= "string" then
      fail(where, "zip: expected name = { values } entries, got a key %s", describe(k))
    end
    z.names[#z.names + 1] = k
    z.lists[k] = v
  end
  if #z.names < 2 then
    fail(where, "zip: expected at least two parameters that vary together, got %d", #z.names)
  end
  sort(z.names)   -- the order of a table's keys is no order: messages name them sorted
  return setmetatable_(z, ZIP_MT)
end

local function check_list(where, name, list)
  if not is_plain_table(list) or #list == 0 then
    fail(where, "sweep: %s: expected a non-empty list of values, as in %s = { 1, 2, 4 }, got %s",
      name, name, describe(list))
  end
  if #list > MAX_VALUES then
    fail(where, "sweep: %s: %d values, at most %d", name, #list, MAX_VALUES)
  end
  for i, v in ipairs_(list) do
    local t = type_(v)
    if not (t == "string" or t == "boolean" or (t == "number" and is_finite(v))) then
      fail(where, "sweep: %s[%d]: expected a finite number, a string or a boolean, got %s",
        name, i, describe(v))
    end
  end
end

-- sweep { name = list, ..., zip { ... }, reps = n, where = function(point) ... end }
function API.sweep(t)
  local where = here()
  if not is_plain_table(t) then
    fail(where, "sweep: expected a table, as in sweep { rate = { 100, 200 }, reps = 5 }, got %s",
      describe(t))
  end
  if S.sweep then fail(where, "sweep: the scenario already has a sweep at %s", S.sweep.where) end
  local sw = { where = where, dims = {}, reps = nil, filter = nil }
  local n = #t
  for i = 1, n do
    local z = t[i]
    if getmetatable_(z) ~= ZIP_MT then
      fail(where, "sweep: entry %d: expected zip { ... } or name = { values }, got %s", i,
        describe(z))
    end
    sw.dims[#sw.dims + 1] = { names = z.names, lists = z.lists, where = z.where }
  end
  for k, v in pairs_(t) do
    if type_(k) == "number" and k >= 1 and k <= n and k == floor(k) then
      -- a zip, taken above
    elseif k == "reps" then
      if mtype(v) ~= "integer" and not (type_(v) == "number" and v == floor(v)) or v < 1
          or v > 1e6 then
        fail(where, "sweep: reps must be an integer from 1 to 1000000, got %s", describe(v))
      end
      sw.reps = floor(v)
    elseif k == "where" then
      if type_(v) ~= "function" then
        fail(where, "sweep: where must be a function(point) returning true to keep the point, got %s",
          describe(v))
      end
      sw.filter = v
    elseif type_(k) == "string" then
      sw.dims[#sw.dims + 1] = { names = { k }, lists = { [k] = v }, where = where }
    else
      fail(where, "sweep: unexpected key %s", describe(k))
    end
  end
  S.sweep = sw
end

-- Splits "a,b,c" (the --param form) into its values, as text.
local function split_values(s)
  local out, start = {}, 1
  while true do
    local i = sfind(s, ",", start, true)
    out[#out + 1] = ssub(s, start, (i or 0) - 1)
    if not i then break end
    start = i + 1
  end
  return out
end

-- The points of the sweep: { names = { ... }, points = { { text, ... }, ... }, reps = n } or nil
-- when there is nothing to sweep. convert(param, text) -> ok, value converts a --set string.
local function points(convert)
  local sw = S.sweep
  local cli = S.sweep_params or {}
  if not sw and #cli == 0 then return nil end
  sw = sw or { where = nil, dims = {} }
  local by_name, asked = {}, {}
  for i, p in ipairs_(S.params) do asked[i] = p.name end
  for _, d in ipairs_(sw.dims) do
    for _, name in ipairs_(d.names) do
      if by_name[name] then
        fail(d.where, "sweep: %s is swept twice", name)
      end
      by_name[name] = d
    end
  end
  -- --param NAME=V1,V2: replaces the values of a dimension, or adds one.
  for _, c in ipairs_(cli) do
    local values = split_values(c.values)
    local d = by_name[c.name]
    if d then d.from_cli = d.from_cli or {}; d.from_cli[c.name] = true end
    if d and #d.names > 1 then
      if #values ~= #d.lists[c.name] then
        local others = {}
        for _, n in ipairs_(d.names) do
          if n ~= c.name then others[#others + 1] = n end
        end
        fail(nil, "--param %s: %s varies together with %s (zip at %s): give %d values, got %d",
          c.name, c.name, concat(others, ", "), d.where, #d.lists[c.name], #values)
      end
      d.lists[c.name] = values
    elseif d then
      d.lists[c.name] = values
    else
      d = { names = { c.name }, lists = { [c.name] = values }, where = nil,
            from_cli = { [c.name] = true } }
      sw.dims[#sw.dims + 1] = d
      by_name[c.name] = d
    end
  end
  -- Every swept name is a param; values convert to its type; zips have equal lengths.
  for _, d in ipairs_(sw.dims) do
    local len
    for _, name in ipairs_(d.names) do
      local p = S.param_by_name[name]
      local cli_given = d.from_cli and d.from_cli[name]
      local src = cli_given and fmt("--param %s", name) or fmt("sweep: %s", name)
      local at = not cli_given and d.where or nil
      if not p then
        fail(at, "%s: the scenario has no param '%s'%s", src, name, did_you_mean(name, asked))
      end
      if RESERVED[name] then
        fail(p.where, "param '%s': the name is a column of sweep.csv; choose another to sweep it",
          name)
      end
      if S.overrides[name] ~= nil then
        fail(nil, "--set %s fixes a swept parameter; use --param %s=V1,V2,... to change its values",
          name, name)
      end
      local list = d.lists[name]
      check_list(at, name, list)
      local typed, texts = {}, {}
      for i, v in ipairs_(list) do
        local text = value_text(v)
        local ok, tv = convert(p, text)
        if not ok then
          fail(at, "%s: value %d: expected %s (the type of the param's default), got '%s'",
            src, i, tv, text)
        end
        typed[i], texts[i] = tv, text
      end
      d.typed = d.typed or {}
      d.texts = d.texts or {}
      d.typed[name], d.texts[name] = typed, texts
      if len and #list ~= len then
        fail(d.where, "zip: %s has %d values, %s has %d: lists that vary together must have "
          .. "the same length", d.names[1], len, name, #list)
      end
      len = #list
    end
    d.len = len
  end
  -- Column order: the params in the order the scenario declared them.
  local names = {}
  for _, p in ipairs_(S.params) do
    if by_name[p.name] then names[#names + 1] = p.name end
  end
  local order = {}     -- dimensions, by their first param's declaration
  local seen = {}
  for _, name in ipairs_(names) do
    local d = by_name[name]
    if not seen[d] then seen[d] = true; order[#order + 1] = d end
  end
  local total = 1
  for _, d in ipairs_(order) do
    total = total * d.len
    if total > MAX_POINTS then
      fail(sw.where, "sweep: more than %d points", MAX_POINTS)
    end
  end
  -- The product, the first dimension varying slowest, filtered by where.
  local out = {}
  local idx = {}
  for i = 1, #order do idx[i] = 1 end
  for _ = 1, total do
    local typed, texts = {}, {}
    for i, d in ipairs_(order) do
      for _, name in ipairs_(d.names) do
        typed[name], texts[name] = d.typed[name][idx[i]], d.texts[name][idx[i]]
      end
    end
    local keep = true
    if sw.filter then
      local ok = sw.filter(typed)
      keep = ok and true or false
    end
    if keep then
      local row = {}
      for j, name in ipairs_(names) do
        row[j] = texts[name]
      end
      out[#out + 1] = row
    end
    for i = #order, 1, -1 do
      idx[i] = idx[i] + 1
      if idx[i] <= order[i].len then break end
      idx[i] = 1
    end
  end
  if #out == 0 then
    fail(sw.where, "sweep: the where filter removes every point")
  end
  return { names = names, points = out, reps = sw.reps, where = sw.where }
end

return {
  API = API,
  points = points,
  value_text = value_text,
}
