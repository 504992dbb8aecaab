-- expect: tests/errors/cores_negative.lua:3: service "web": field 'cores' must be a positive number, got -1
-- cores must be positive (0 is the default: a core per working thread).
service "web" { workers = 4, cores = -1, work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
