-- expect: tests/errors/empirical_bad_cell.lua:3: empirical: 'data/bad_cell.csv' line 3, column 1: not a non-negative number
-- A bad cell is named by line and column; its text is not shown.
service "web" { work = empirical { file = "data/bad_cell.csv", column = "latency" } }
run { duration = 10 }
