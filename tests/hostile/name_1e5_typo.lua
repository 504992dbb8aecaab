-- attacks: a 100 000-character service name called with a one-letter typo (the "did you mean" search is O(n*m), unhooked)
-- must: cap the names compared by 'did you mean' (or their length), end fast
-- expect: exit 1
local long = string.rep("n", 100000)
service(long) { work = exp(0.01) }
local web = service "web" { endpoint "e" { call(long:sub(1, -2) .. "m") } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
