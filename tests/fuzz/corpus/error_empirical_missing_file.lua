-- expect: tests/errors/empirical_missing_file.lua:3: empirical: cannot open 'tests/errors/no_such_file.csv' (No such file or directory)
-- The CSV file is looked up next to the scenario.
service "web" { work = empirical { file = "no_such_file.csv", column = "latency" } }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
