-- expect: tests/errors/os_execute.lua:4: unknown name 'os' (not available in the scenario sandbox)
-- The sandbox has no os library.
service "web" { work = exp(0.02) }
os.execute("rm -rf /tmp/nothing")
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
