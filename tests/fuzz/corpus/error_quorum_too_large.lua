-- expect: tests/errors/quorum_too_large.lua:6: parallel: quorum must be between 1 and 2 (the number of branches), got 3
-- A quorum cannot exceed the number of branches.
service "replica" { work = exp(0.01) }
service "web" {
  endpoint "write" {
    parallel { call("replica"), call("replica"), quorum = 3 },
  },
}
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
