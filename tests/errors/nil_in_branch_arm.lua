-- expect: tests/errors/nil_in_branch_arm.lua:5: branch: arm #1: entry #3 is nil, a hole in the list (an undefined variable?); write false to leave an entry out
-- A hole inside an arm { p, steps... } of a branch.
local missing
service "db" { work = exp(0.01) }
service "web" { endpoint "e" { branch { { 1, call("db"), missing, call("db") } } } }
