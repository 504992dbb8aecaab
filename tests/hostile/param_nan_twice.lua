-- attacks: param("x", 0/0) asked twice: NaN ~= NaN makes the "same default" check fail (finding 10)
-- must: accept the same NaN default twice
-- expect: exit 0
local a = param("x", 0/0)
local b = param("x", 0/0)
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
