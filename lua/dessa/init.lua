--[[
dessa prelude: the Lua half of the scenario language. This module is the entry point.

The C program (lua/binding.c) loads every module of lua/dessa into a fresh Lua state as a chunk
named "@lua/dessa/<module>.lua", and calls this one with need, the function that returns
another module (each is loaded once). It gets back a table M:

  M.setup(opts)   opts = { overrides = { name = "string", ... },  -- from --set name=value
                           random = function(m, n) ... end,       -- seeded math.random
                           emit = function(text) ... end,         -- print output, warnings
                           read_data = function(file) ... end,    -- data files (empirical)
                           stopped = function() ... end,          -- out of time/instructions?
                           table_new = function(narr, nrec) ... end, -- a presized table
                           unsafe = false,                        -- expose os, io, require
                           expand_sweep = false,                  -- SPEC.sweep: the points
                           sweep_params = { { name =, values = "v1,v2" }, ... },  -- --param
                           path = "scenario.lua" }                -- optional, see below
  M.env()         the sandbox environment the scenario is loaded with
  M.finish()      checks the whole model and returns the SPEC table (see docs/lua-api.md)
  M.fail          the error helper; the C message handler tells its errors from internal ones

Every error is a single line "file:line: message". Constructors raise at once with the line of
the scenario that called them; checks that need the whole model (references between services,
call cycles, the run block) are made by finish() with the location remembered at construction.
opts.path is only used by the "no run block" message when the scenario never touched a global
(otherwise the path is learnt from the scenario's own stack frames).

The modules:
  check.lua     shared state, object registry, locations, fail(), suggestions, value checkers,
                the generic table checker
  dist.lua      time helpers, distributions, arrival processes, CSV data for empirical
  steps.lua     work, io, sleep, call, parallel, branch
  topology.lua  endpoint, host, service, client, link, run, param
  sweep.lua     sweep, range, geometric, zip, and the points of a sweep
  resilience.lua  retries, backoffs and jitter of calls and clients; outage, crash, slowdown,
                  partition
  sandbox.lua   the scenario's environment
  finish.lua    whole-model checks and the SPEC table
]]

local need = ...

local check = need("check")
local dist, steps, topology = need("dist"), need("steps"), need("topology")
local sandbox, finish = need("sandbox"), need("finish")
local sweep = need("sweep")
local resilience = need("resilience")

local S = check.S
local pairs_, tostring_, stderr = pairs, tostring, io.stderr

-- The scenario API: every function here becomes a global of the sandbox.
local API = {}
for _, part in ipairs({ dist.API, steps.API, topology.API, sweep.API, resilience.API }) do
  for k, v in pairs_(part) do API[k] = v end
end

local M = { fail = check.fail, finish = finish.finish }

function M.setup(opts)
  opts = opts or {}
  local overrides = {}
  for k, v in pairs_(opts.overrides or {}) do overrides[tostring_(k)] = tostring_(v) end
  for k in pairs_(S) do S[k] = nil end
  S.overrides = overrides
  S.expand_sweep = opts.expand_sweep and true or false
  S.sweep_params = {}
  for i, p in ipairs(opts.sweep_params or {}) do
    S.sweep_params[i] = { name = tostring_(p.name), values = tostring_(p.values) }
  end
  S.random = opts.random or math.random
  S.emit = opts.emit or function(text) stderr:write(text) end
  S.read_data = opts.read_data
  S.stopped = opts.stopped or function() return false end
  S.table_new = opts.table_new   -- the C side's presized tables (see check.check_fields)
  S.frame = opts.frame   -- the C side's scenario_frame without tables (see check.here)
  S.frames = {}
  S.unsafe = opts.unsafe and true or false
  S.path = opts.path
  S.params, S.param_by_name = {}, {}
  S.services, S.service_by_name, S.clients = {}, {}, {}
  S.hosts, S.host_by_name = {}, {}
  S.nodes, S.node_where, S.node_names = {}, {}, {}   -- name -> kind, name -> where
  S.link, S.links = nil, {}
  S.run = nil
  S.sweep = nil
  S.pending = {}
  S.faults = nil
  S.partitions = nil
  S.source = nil
  S.env = nil
  S.ready = true
end

function M.env()
  if not S.ready then M.setup({}) end
  if not S.env then S.env = sandbox.build_env(API) end
  return S.env
end

return M
