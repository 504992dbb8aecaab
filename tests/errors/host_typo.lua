-- expect: tests/errors/host_typo.lua:4: service "web": unknown host 'vm2' (did you mean 'vm1'?)
-- A misspelt host name gets a suggestion.
host "vm1" { cores = 4 }
service "web" { workers = 4, host = "vm2", work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
