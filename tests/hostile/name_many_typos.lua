-- attacks: 20 000 services of 200-character names and an unknown target: the suggestion search over every name
-- must: end fast: bound the suggestion search
-- expect: exit 1
-- cpu: 15
for i = 1, 20000 do service(string.rep("s", 190) .. i) { work = 0.001 } end
client "c" { target = string.rep("s", 190) .. "x1", arrivals = poisson(1) }
run { duration = 1 }
