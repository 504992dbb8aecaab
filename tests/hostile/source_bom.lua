-- attacks: a UTF-8 byte-order mark before the first line (standalone lua skips it)
-- must: skip a UTF-8 byte-order mark as the standalone interpreter does
-- expect: exit 0
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
