-- expect: tests/errors/io_popen.lua:3: io.popen: the io library is not available in the scenario sandbox (io(d) is the blocking I/O step)
-- The sandbox has no io library.
local f = io.popen("ls")
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
