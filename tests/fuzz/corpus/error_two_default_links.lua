-- expect: tests/errors/two_default_links.lua:4: link: the default link is already set at tests/errors/two_default_links.lua:3 (give from/to for one pair)
-- Only one default link.
link { latency = ms(1) }
link { latency = ms(2) }
service "web" { work = exp(0.02) }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
