-- expect: tests/errors/weibull_shape.lua:3: weibull: shape must be at least 0.0001 (smaller values make the law degenerate), got 1e-300
-- Gamma(1 + 1/shape) overflows: the law is degenerate.
service "web" { work = weibull { shape = 1e-300, mean = 1 } }
