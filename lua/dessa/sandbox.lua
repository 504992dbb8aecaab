--[[
sandbox: the environment a scenario runs in (strict globals, withheld libraries, guarded
string functions, deterministic pairs/next, checked rawset, no finalizers).
]]

local need = ...

-- Library functions captured at load time (the scenario may replace the originals).
local concat = table.concat
local load_ = load
local pairs_ = pairs
local select_ = select
local setmetatable_ = setmetatable
local tostring_ = tostring
local type_ = type
local _check = need("check")   -- shared helpers (see check.lua)
local S = _check.S
local copy_table = _check.copy_table
local describe = _check.describe
local did_you_mean = _check.did_you_mean
local fail = _check.fail
local here = _check.here

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

local function scenario_print(...)
  local parts = {}
  for i = 1, select_("#", ...) do parts[i] = tostring_((select_(i, ...))) end
  S.emit("[scenario] " .. concat(parts, "\t") .. "\n")
end

local function build_env(API)
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

return {
  build_env = build_env,
}
