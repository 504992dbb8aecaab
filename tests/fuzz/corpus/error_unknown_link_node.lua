-- expect: tests/errors/unknown_link_node.lua:5: link: unknown service or client 'usrs' (did you mean 'users'?)
-- Link ends are services or clients of the scenario.
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
link { from = "usrs", to = "web", latency = ms(5) }
run { duration = 60 }
