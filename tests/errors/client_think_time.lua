-- expect: tests/errors/client_think_time.lua:4: client "users": unknown field 'think_time' (did you mean think = dist?)
-- think_time for think.
service "web" { work = exp(0.02) }
client "users" { target = "web", users = 10, think_time = exp(1) }
run { duration = 60 }
