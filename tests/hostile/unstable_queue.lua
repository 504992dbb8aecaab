-- attacks: utilisation 5 with an unbounded queue: memory grows with the backlog and nothing warns (finding 8)
-- must: end within the limits; a warning that the load exceeds capacity would help
local web = service "web" { workers = 1, work = exp(0.05) }
client "c" { target = web, arrivals = poisson(100) }
run { duration = 2000 }
