-- expect: tests/errors/gamma_shape_nan.lua:3: gamma: shape must be a positive number, got nan
-- NaN shape.
service "web" { work = gamma { shape = math.huge - math.huge, mean = 1 } }
