-- expect: tests/errors/lognormal_median_gt_p99.lua:3: lognormal: median must not be greater than p99, got median = 0.2, p99 = 0.1
-- The 99th percentile cannot be below the median.
service "web" { work = lognormal { median = 0.2, p99 = 0.1 } }
client "users" { target = "web", arrivals = poisson(10) }
run { duration = 60 }
