-- validation: a closed network. `users` users alternate an exponential think time with
-- mean `think` and a request; with stations = 1 the request is served at s1 (the machine-
-- repairman model), with stations = 2 it visits s1 then s2 in series (through `route`, an
-- infinite-server stage of zero duration, as in tandem.lua). Each station is one worker
-- with exponential service. Exact Mean Value Analysis gives throughput and response time.
local users    = param("users", 10)
local think    = param("think", 5.0)
local stations = param("stations", 1)
local mean1    = param("mean1", 0.5)
local mean2    = param("mean2", 0.3)
local duration = param("duration", 100000)
local warmup   = param("warmup", 1000)

local s1 = service "s1" { workers = 1, work = exp(mean1) }
local target = s1
if stations == 2 then
  local s2 = service "s2" { workers = 1, work = exp(mean2) }
  target = service "route" { workers = users, endpoint "serial" { call(s1), call(s2) } }
elseif stations ~= 1 then
  error("param 'stations' must be 1 or 2, got " .. tostring(stations))
end
client "users" { target = target, users = users, think = exp(think) }
run { duration = duration, warmup = warmup, sample = duration / 10 }
