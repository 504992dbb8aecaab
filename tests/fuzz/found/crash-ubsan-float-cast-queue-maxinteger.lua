-- attacks: queue = math.maxinteger (an unchecked double/integer cast on the C side, D6); must run or name the field
-- expect-match: queue
local web = service "web" { workers = 1, queue = math.maxinteger, work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 5 }
