-- expect: tests/errors/unknown_field.lua:3: service "web": unknown field 'worker' (did you mean 'workers'?)
-- A misspelt field name gets a suggestion.
service "web" { worker = 4, work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
