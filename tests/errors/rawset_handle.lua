-- expect: tests/errors/rawset_handle.lua:4: service "web" is read-only
-- rawset bypasses __newindex: it is refused on handles too.
local web = service "web" { work = exp(0.01) }
rawset(web, "name", "x")
