-- expect: tests/errors/bad_name.lua:3: service: the name must be a non-empty string of letters, digits, "_", "." and "-", got "web server"
-- Names are identifiers of letters, digits, "_", "." and "-".
service "web server" { work = exp(0.02) }
run { duration = 60 }
