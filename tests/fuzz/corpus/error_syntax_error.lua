-- expect: tests/errors/syntax_error.lua:4: '}' expected (to close '{' at line 3) near 'run'
-- A service body that is never closed.
service "db" { workers = 1, work = exp(0.01)
run { duration = 60 }
