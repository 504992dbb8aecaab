--[[
sandbox: the environment a scenario runs in.

- Strict globals: reading an unknown name or assigning any global is an error (with a
  suggestion); rawset on the environment is refused the same way.
- Withheld: os, io, require, dofile, loadfile, debug, package, collectgarbage (os, io and
  require come back with --unsafe). load takes text chunks only, of at most 16 MiB (the
  parser runs in C, unseen by the instruction limit).
- No finalizers: setmetatable strips __gc, since finalizers run where no instruction limit
  applies (during garbage collection and when the state is closed).
- Guarded C functions: the pattern functions (find, match, gmatch, gsub) refuse a subject and
  pattern whose worst-case matching work is above PATTERN_WORK (backtracking inside the C
  matcher is invisible to the instruction count); string.rep and table.move refuse results
  or ranges above a size cap. The string metatable's __index is this guarded string table, and
  getmetatable("") gives nothing, so string.dump is out of reach.
- Deterministic iteration: pairs and next visit keys in a fixed order (numbers ascending, then
  strings in byte order, then false and true, then prelude objects in creation order, then
  any other keys), because Lua's own order of string keys changes from one process to the
  next.
]]

local need = ...

-- Library functions captured at load time (the scenario may replace the originals).
local concat = table.concat
local dgetmetatable = debug.getmetatable
local error_ = error
local fmt = string.format
local ipairs_ = ipairs
local load_ = load
local next_ = next
local pairs_ = pairs
local rawget_ = rawget
local rawset_ = rawset
local sbyte = string.byte
local select_ = select
local setmetatable_ = setmetatable
local sfind, smatch, sgmatch, sgsub, srep = string.find, string.match, string.gmatch,
  string.gsub, string.rep
local sort = table.sort
local tmove = table.move
local tostring_ = tostring
local type_ = type
local xpcall_ = xpcall
local io_lib = io
local _check = need("check")   -- shared helpers (see check.lua)
local S = _check.S
local SEQ = _check.SEQ
local copy_table = _check.copy_table
local describe = _check.describe
local did_you_mean = _check.did_you_mean
local fail = _check.fail
local here = _check.here
local short_name = _check.short_name
local KIND = _check.KIND
local readonly = _check.readonly

-- Worst-case steps of the C pattern matcher the sandbox lets one call take (about a second).
local PATTERN_WORK = 1e9
-- Largest string string.rep may build, and most elements table.move may copy.
local REP_MAX = 256 * 1024 * 1024
local MOVE_MAX = 16 * 1024 * 1024
-- Largest text load() compiles.
local LOAD_MAX = 16 * 1024 * 1024

-- Standard functions shared with the scenario as they are.
local SAFE_BASE = {
  assert = assert, error = error, ipairs = ipairs, select = select, tonumber = tonumber,
  tostring = tostring, type = type, pcall = pcall,
  getmetatable = getmetatable, rawequal = rawequal, rawget = rawget, rawlen = rawlen,
  unpack = table.unpack,
}

-- Names of the standard library that the sandbox withholds (better message than a typo hint).
local WITHHELD = {
  os = true, io = true, require = true, dofile = true, loadfile = true, debug = true,
  package = true, collectgarbage = true, loadstring = true,
}

local function scenario_print(...)
  local parts = {}
  for i = 1, select_("#", ...) do parts[i] = tostring_((select_(i, ...))) end
  S.emit("[scenario] " .. concat(parts, "\t") .. "\n")
end

---------------------------------------------------------------------------------------------
-- Guarded C functions
---------------------------------------------------------------------------------------------

-- Index just past the set "[...]" that starts at i in pattern p.
local function skip_set(p, i)
  i = i + 1
  if sbyte(p, i) == 94 then i = i + 1 end            -- [^
  repeat                                             -- the first ] is a member
    local c = sbyte(p, i)
    if c == nil then return i end
    i = i + (c == 37 and 2 or 1)                     -- %x
  until sbyte(p, i) == 93
  return i + 1
end

-- An upper bound of the matcher's work for subject length n and pattern p: each attempt is
-- at most (n + 1) per repetition item (*, +, -, %b, back-reference) times 2 per optional
-- item, times the pattern's length, and an unanchored search makes n + 1 attempts.
local function pattern_work(n, p)
  local lp, i = #p, 1
  local work = 1
  if sbyte(p, 1) == 94 then i = 2 else work = n + 1 end
  while i <= lp do
    local c = sbyte(p, i)
    local single = true
    if c == 37 then                                  -- %
      local d = sbyte(p, i + 1)
      if d == 98 then work = work * (n + 1); i = i + 4; single = false      -- %bxy
      elseif d == 102 then i = skip_set(p, i + 2); single = false          -- %f[set]
      elseif d and d >= 48 and d <= 57 then work = work * (n + 1); i = i + 2; single = false
      else i = i + 2 end
    elseif c == 91 then i = skip_set(p, i)           -- [set]
    elseif c == 40 or c == 41 then i = i + 1; single = false               -- ( )
    else i = i + 1 end
    if single then
      local q = sbyte(p, i)
      if q == 42 or q == 43 or q == 45 then work = work * (n + 1); i = i + 1
      elseif q == 63 then work = work * 2; i = i + 1 end
    end
    if work > PATTERN_WORK then return work end
  end
  return work * (lp > 0 and lp or 1)
end

local function check_pattern(name, s, p, plain)
  if type_(s) == "number" then s = tostring_(s) end
  if type_(p) == "number" then p = tostring_(p) end
  if type_(s) ~= "string" or type_(p) ~= "string" then return end   -- the C function complains
  local work = plain and (#s + 1) * (#p + 1) or pattern_work(#s, p)
  if work > PATTERN_WORK then
    fail(here(), "string.%s: this pattern on a %d-character subject could take too long "
      .. "(worst case above %.0e steps); use a simpler pattern, a shorter string or plain find",
      name, #s, PATTERN_WORK)
  end
end

local function guarded_string()
  local str = copy_table(string, { dump = true })
  str.find = function(s, p, init, plain)
    check_pattern("find", s, p, plain)
    return sfind(s, p, init, plain)
  end
  str.match = function(s, p, init)
    check_pattern("match", s, p)
    return smatch(s, p, init)
  end
  str.gmatch = function(s, p, init)
    check_pattern("gmatch", s, p)
    return sgmatch(s, p, init)
  end
  str.gsub = function(s, p, repl, n)
    check_pattern("gsub", s, p)
    return sgsub(s, p, repl, n)
  end
  str.rep = function(s, n, sep)
    local ls = type_(s) == "string" and #s or type_(s) == "number" and #tostring_(s) or 0
    local lsep = type_(sep) == "string" and #sep or 0
    if type_(n) == "number" and n > 0 and ((ls + lsep) * n > REP_MAX or n > REP_MAX) then
      fail(here(), "string.rep: the result would be too large (at most %d bytes here)", REP_MAX)
    end
    return srep(s, n, sep)
  end
  return str
end

local function guarded_table()
  local tab = copy_table(table)
  tab.move = function(a1, f, e, t, a2)
    if type_(f) == "number" and type_(e) == "number" and e - f >= MOVE_MAX then
      fail(here(), "table.move: too many elements (at most %d here)", MOVE_MAX)
    end
    return tmove(a1, f, e, t, a2)
  end
  return tab
end

---------------------------------------------------------------------------------------------
-- Deterministic pairs and next
---------------------------------------------------------------------------------------------

local CLASS = { number = 1, string = 2, boolean = 3 }

local function key_less(a, b)
  local ta, tb = type_(a), type_(b)
  local ca, cb = CLASS[ta] or 4, CLASS[tb] or 4
  if ca ~= cb then return ca < cb end
  if ca <= 2 then return a < b end
  if ca == 3 then return not a and b end
  local sa, sb = SEQ[a], SEQ[b]
  if sa and sb then return sa < sb end
  return sa ~= nil and sb == nil
end

-- The sorted keys of t, kept while a traversal runs (weak: dropped with the table).
local ORDER = setmetatable_({}, { __mode = "k" })

local function snapshot(t)
  local keys = {}
  for k in next_, t do keys[#keys + 1] = k end
  sort(keys, key_less)
  local index = {}
  for i, k in ipairs_(keys) do index[k] = i end
  local o = { keys = keys, index = index }
  ORDER[t] = o
  return o
end

local function sandbox_next(t, k)
  if type_(t) ~= "table" then return next_(t, k) end   -- the usual error
  local o, i
  if k == nil then
    o, i = snapshot(t), 0
  else
    o = ORDER[t]
    if not (o and o.index[k]) then o = snapshot(t) end
    i = o.index[k]
    if not i then return next_(t, k) end             -- "invalid key to 'next'"
  end
  local keys = o.keys
  while true do
    i = i + 1
    local nk = keys[i]
    if nk == nil then return nil end
    local v = rawget_(t, nk)
    if v ~= nil then return nk, v end
  end
end

local function sandbox_pairs(t)
  local mt = dgetmetatable(t)
  if type_(t) ~= "table" or (type_(mt) == "table" and rawget_(mt, "__pairs") ~= nil) then
    return pairs_(t)                                 -- the usual error, or the table's __pairs
  end
  return sandbox_next, t, nil
end

---------------------------------------------------------------------------------------------
-- The environment
---------------------------------------------------------------------------------------------

-- setmetatable without finalizers; objects of the prelude (and other tables with a protected
-- metatable) are refused with a located message.
local function sandbox_setmetatable(t, mt)
  if KIND[t] ~= nil then readonly(t) end
  local old = type_(t) == "table" and dgetmetatable(t)
  if old and rawget_(old, "__metatable") ~= nil then
    fail(here(), "setmetatable: cannot change a protected metatable")
  end
  if type_(mt) == "table" and rawget_(mt, "__gc") ~= nil then rawset_(mt, "__gc", nil) end
  return setmetatable_(t, mt)
end

local function build_env(API)
  local builtins = copy_table(SAFE_BASE)
  for k, v in pairs_(API) do builtins[k] = v end
  builtins.print = scenario_print
  builtins.pairs, builtins.next = sandbox_pairs, sandbox_next
  builtins.setmetatable = sandbox_setmetatable
  -- A message handler called for the limit's error runs with hooks off (it is called from the
  -- hook): it is skipped once the scenario is stopped, so it cannot run on unlimited.
  builtins.xpcall = function(f, handler, ...)
    return xpcall_(f, function(e)
      if S.stopped() then return e end
      return handler(e)
    end, ...)
  end
  builtins.math = copy_table(math)
  builtins.math.random = S.random
  builtins.math.randomseed = function() end
  builtins.string = guarded_string()
  builtins.table = guarded_table()
  builtins.utf8 = copy_table(utf8)
  -- io is the blocking I/O step, io(d). The io library stays withheld: reading a field of io
  -- says so (with unsafe, the fields are the library's).
  local io_step = API.io
  builtins.io = setmetatable_({}, {
    __call = function(_, ...) return io_step(...) end,
    __index = function(_, k)
      if S.unsafe then return io_lib[k] end
      fail(here(), "io.%s: the io library is not available in the scenario sandbox "
        .. "(io(d) is the blocking I/O step)", type_(k) == "string" and short_name(k)
        or describe(k))
    end,
    __newindex = function(t) readonly(t) end,
    __metatable = false,
  })
  if S.unsafe then
    builtins.os, builtins.require = os, require
  end
  -- Method calls on strings ("x"):find(...) use the guarded table; the metatable is hidden.
  local smt = dgetmetatable("")
  if smt then
    smt.__index = builtins.string
    smt.__metatable = false
  end
  local names = {}

  local env = {}
  local function refuse_global(k)
    local where = here()
    if builtins[k] ~= nil then
      fail(where, "assignment to built-in name '%s' (use a local with another name)", tostring_(k))
    end
    fail(where, "assignment to undeclared global '%s' (use local)",
      type_(k) == "string" and short_name(k) or describe(k))
  end
  -- load() for text chunks only; they run in the sandbox unless given another environment.
  -- Chunks are capped in size: Lua's parser runs in C, unseen by the instruction limit.
  builtins.load = function(chunk, chunkname, _, chunkenv)
    if chunkenv == nil then chunkenv = env end
    if type_(chunk) == "string" and #chunk > LOAD_MAX then
      fail(here(), "load: the chunk is too large (at most %d bytes here)", LOAD_MAX)
    elseif type_(chunk) == "function" then
      local reader, total = chunk, 0
      chunk = function()
        local piece = reader()
        if type_(piece) == "string" then
          total = total + #piece
          if total > LOAD_MAX then
            error_(fmt("load: the chunk is too large (at most %d bytes here)", LOAD_MAX), 0)
          end
        end
        return piece
      end
    end
    return load_(chunk, chunkname, "t", chunkenv)
  end
  -- rawset may not create globals behind the strict environment's back.
  builtins.rawset = function(t, k, v)
    if t == env then refuse_global(k) end
    if KIND[t] ~= nil then readonly(t) end   -- handles and distributions stay read-only
    return rawset_(t, k, v)
  end
  builtins._G = env
  for k in pairs_(builtins) do names[#names + 1] = k end
  sort(names)

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
        type_(k) == "string" and "'" .. short_name(k) .. "'" or describe(k),
        did_you_mean(k, names))
    end,
    __newindex = function(_, k) refuse_global(k) end,
    __metatable = false,
  })
  return env
end

return {
  build_env = build_env,
}
