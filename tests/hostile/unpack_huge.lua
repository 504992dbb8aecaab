-- attacks: table.unpack asked for 1e8 results (too many results to unpack)
-- expect: exit 1
local t = { unpack({}, 1, 1e8) }
