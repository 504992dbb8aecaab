-- expect: tests/errors/pattern_backtracking.lua:3: string.find: this pattern on a 3000-character subject could take too long (worst case above 1e+09 steps); use a simpler pattern, a shorter string or plain find
-- Backtracking in the C pattern matcher is not counted by the instruction limit: refused up front.
string.find(string.rep("a", 3000), ".-.-.-.-.-b")
service "web" { work = exp(0.01) }
client "c" { target = "web", arrivals = poisson(1) }
run { duration = 10 }
