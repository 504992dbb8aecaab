-- attacks: 2 000 services and one pair link: the link table is built in O(nodes^2 x links x services) (finding 9)
-- must: end fast: a link table that is not O(n^2 x links x services)
for i = 1, 2000 do service("s" .. i) { work = 0.001 } end
client "c" { target = "s1", arrivals = poisson(1) }
link { from = "c", to = "s1", latency = 0.001 }
run { duration = 1 }
