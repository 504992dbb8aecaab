-- expect: tests/errors/setmetatable_handle.lua:4: service "web" is read-only
-- setmetatable on a handle.
local web = service "web" { work = exp(0.01) }
setmetatable(web, nil)
