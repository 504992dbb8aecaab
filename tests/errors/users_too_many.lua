-- expect: tests/errors/users_too_many.lua:4: client "c": field 'users' must be at most 10000000, got 4294967295
-- A closed client has at most 10 000 000 users.
service "web" { work = exp(0.01) }
client "c" { target = "web", users = 4294967295 }
run { duration = 10 }
