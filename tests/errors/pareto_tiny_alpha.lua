-- expect: tests/errors/pareto_tiny_alpha.lua:3: pareto: alpha must be at least 0.1 (smaller values make samples overflow), got 0.01
-- min * U^(-1/alpha) overflows for tiny alpha.
service "web" { work = pareto { alpha = 0.01, min = 1 } }
