-- expect: tests/errors/weibull_scale.lua:3: weibull: the scale mean / Gamma(1 + 1/shape) underflows (shape = 0.001, mean = 1); use a larger shape or mean
-- Above the shape bound, but the scale still underflows.
service "web" { work = weibull { shape = 0.001, mean = 1 } }
