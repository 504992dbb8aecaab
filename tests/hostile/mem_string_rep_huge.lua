-- attacks: string.rep to 8 GiB in one call: must fail with a located out-of-memory message, not a bare "not enough memory"
-- must: a located out-of-memory message
-- expect: exit 1
local s = string.rep("x", 2^33)
