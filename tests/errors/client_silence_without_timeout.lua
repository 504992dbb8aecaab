-- expect: tests/errors/client_silence_without_timeout.lua:4: client "users": 'db' can be down without answering (on_down = "silence" at tests/errors/client_silence_without_timeout.lua:5) and this client has no timeout: it would wait forever; give it a timeout
-- A client whose target can be down without answering needs a timeout of its own.
local db = service "db" { workers = 4, work = exp(0.005) }
client "users" { target = db, arrivals = poisson(10) }
crash { target = db, mttf = exp(100), mttr = exp(5), on_down = "silence" }
run { duration = 60 }
