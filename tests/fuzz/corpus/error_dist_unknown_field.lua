-- expect: tests/errors/dist_unknown_field.lua:3: lognormal: unknown field 'medain' (did you mean 'median'?)
-- Distribution tables are checked like every other constructor table.
service "web" { work = lognormal { medain = 0.01, p99 = 0.1 } }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
