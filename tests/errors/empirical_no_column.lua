-- expect: tests/errors/empirical_no_column.lua:3: empirical: 'data/two_columns.csv' has no column 'latency' (its header is line 1)
-- The header's cells are not echoed.
service "web" { work = empirical { file = "data/two_columns.csv", column = "latency" } }
run { duration = 10 }
