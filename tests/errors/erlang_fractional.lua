-- expect: tests/errors/erlang_fractional.lua:3: erlang: k must be a positive integer, got 2.5
-- erlang k is a whole number of phases.
service "web" { work = erlang(2.5, 1) }
