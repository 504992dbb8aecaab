-- expect: tests/errors/io_popen.lua:3: unknown name 'io' (not available in the scenario sandbox)
-- The sandbox has no io library.
local f = io.popen("ls")
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
