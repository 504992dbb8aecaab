-- expect: tests/errors/set_hex.lua:4: param 'n': expected a number, got '0x10'
-- set: n=0x10
-- --set numbers are decimal only.
local n = param("n", 1)
service "web" { work = exp(0.01) }
client "c" { target = "web", arrivals = poisson(1) }
run { duration = 10 }
