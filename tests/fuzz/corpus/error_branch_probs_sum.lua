-- expect: tests/errors/branch_probs_sum.lua:7: branch: probabilities must sum to 1, got 0.9
-- Branch probabilities must add up to 1.
service "cache" { work = exp(0.001) }
service "db" { work = exp(0.01) }
service "web" {
  endpoint "page" {
    branch { { 0.7, call("cache") }, { 0.2, call("db") } },
  },
}
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
