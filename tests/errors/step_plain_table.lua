-- expect: tests/errors/step_plain_table.lua:4: work: expected a distribution or a non-negative number (a table of parameters needs its constructor: exp { mean = 0.02 }), got a table
-- work { mean = ... } passes a plain table to work: the hint names the constructor.
service "web" {
  endpoint "page" { work { mean = 0.02 } },
}
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
