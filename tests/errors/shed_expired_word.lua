-- expect: tests/errors/shed_expired_word.lua:3: service "api": field 'shed_expired' must be true or false, got "yes"
-- A word where a boolean is expected.
local api = service "api" { workers = 4, work = exp(0.005), shed_expired = "yes" }
client "users" { target = api, arrivals = poisson(10), timeout = 1 }
run { duration = 60 }
