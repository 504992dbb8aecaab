-- expect: tests/errors/empirical_dotdot.lua:3: empirical: '../errors.sh' is outside the scenario's directory (--unsafe lifts this)
-- '..' may not leave the scenario's directory tree.
service "web" { work = empirical { file = "../errors.sh", column = 1 } }
run { duration = 10 }
