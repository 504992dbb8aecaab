-- attacks: endpoint names that differ only after a NUL byte (C strings would see two endpoints called "a")
-- must: refuse names with NUL bytes
-- expect: exit 1
local web = service "web" { endpoint "a\0x" { work(0.01) }, endpoint "a\0y" { work(0.02) } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
