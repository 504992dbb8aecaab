-- attacks: out-of-range broker numbers: a capacity beyond 2^63
-- must: a located error
-- expect: exit 1
local q = queue "q" { capacity = 1e300, on_full = "drop_oldest" }
run { duration = 10 }
