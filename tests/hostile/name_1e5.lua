-- attacks: service and client names of 100 000 characters (stream keys are built in a 512-byte buffer, D20)
-- expect: exit 1
-- expect-match: at most 200
local long = string.rep("n", 100000)
local web = service(long) { work = exp(0.01) }
client(long .. "c") { target = web, arrivals = poisson(1) }
run { duration = 1 }
