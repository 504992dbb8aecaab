-- expect: tests/errors/host_silence_without_timeout.lua:5: call: 'db' can be down without answering (on_down = "silence" at tests/errors/host_silence_without_timeout.lua:6, a failure of its host 'vm1') and this call has no timeout: it would wait forever; give it a timeout
-- A host down in silence silences every service on it: a call to one needs a timeout.
local vm1 = host "vm1" { cores = 2 }
local db = service "db" { workers = 4, host = vm1, work = exp(0.01) }
local api = service "api" { workers = 8, endpoint "get" { call(db) } }
crash { target = vm1, mttf = exp(100), mttr = exp(5), on_down = "silence" }
client "users" { target = api, arrivals = poisson(10), timeout = 1 }
run { duration = 60 }
