-- expect: tests/errors/host_unknown.lua:4: service "web": unknown host 'nope'
-- A host name that no host has (a typo of vm1 gets no suggestion here).
host "vm1" { cores = 4 }
service "web" { workers = 4, host = "nope", work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
