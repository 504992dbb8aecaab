-- expect: tests/errors/gamma_shape.lua:3: gamma: shape must be at least 0.0001 (smaller values make the law degenerate), got 1e-300
-- A gamma shape so small that almost every sample is 0.
service "web" { work = gamma { shape = 1e-300, mean = 1 } }
