-- expect: tests/errors/empirical_absolute.lua:3: empirical: '/etc/passwd' is an absolute path (data files must be inside the scenario's directory; --unsafe lifts this)
-- Data files are confined to the scenario's directory tree.
service "web" { work = empirical { file = "/etc/passwd", column = "x" } }
run { duration = 10 }
