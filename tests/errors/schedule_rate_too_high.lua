-- expect: tests/errors/schedule_rate_too_high.lua:3: schedule: the rate of entry #2 must be at most 1e9 per second, got 2000000000
service "web" { work = exp(0.01) }
client "c" { target = "web", arrivals = schedule { { 0, 10 }, { 60, 2e9 } } }
run { duration = 120 }
