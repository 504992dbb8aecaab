-- expect: tests/errors/error_rate_range.lua:4: endpoint "save": field 'error_rate' must be a number between 0 and 1, got 1.5
-- A fraction of requests: at most 1.
local db = service "db" {
  endpoint "save" { work(ms(5)), error_rate = 1.5 },
}
client "c" { target = db, arrivals = poisson(1) }
run { duration = 60 }
