-- expect: tests/errors/rawset_dist.lua:4: a distribution is read-only
-- rawset on a distribution.
local d = exp(0.01)
rawset(d, "mean", 1)
