-- expect: tests/errors/string_dump.lua:3: attempt to index a boolean value
-- The string metatable is hidden, so string.dump cannot be reached through it.
local dump = getmetatable("").__index.dump
service "web" { work = exp(0.01) }
client "c" { target = "web", arrivals = poisson(1) }
run { duration = 10 }
