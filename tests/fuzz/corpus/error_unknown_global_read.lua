-- expect: tests/errors/unknown_global_read.lua:3: unknown name 'servce' (did you mean 'service'?)
-- Reading an undefined global is an error, with a suggestion for typos.
servce "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
