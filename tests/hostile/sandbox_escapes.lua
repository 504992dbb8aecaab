-- attacks: every route to os, io, require, debug, package, dofile, loadfile, collectgarbage and coroutine; none may be reachable
-- must: no route to a withheld library
-- expect: exit 0
local names = { "os", "io", "require", "debug", "package", "dofile", "loadfile", "collectgarbage", "coroutine", "string.dump" }
local found = {}
-- The global io is the blocking I/O step, io(d): for io the route is open only if it leads
-- to the library (a field such as io.write).
local function probe(how, f, n)
  local ok, v = pcall(f)
  if ok and v ~= nil and n == "io" and type(v) == "table" then
    local got, w = pcall(function() return v.write end)
    v = got and w or nil
  end
  if ok and v ~= nil then found[#found + 1] = how end
end
for _, n in ipairs(names) do
  probe("rawget(_G, " .. n .. ")", function() return rawget(_G, n) end, n)
  probe("load('return " .. n .. "')", function() return load("return " .. n)() end, n)
  probe("load with {} env: " .. n, function() return load("return " .. n, "x", "t", {})() end, n)
  probe("_ENV." .. n, function() return rawget(_ENV, n) end, n)
end
probe("string.dump", function() return string.dump end)
probe("getmetatable(_G).__index.os", function() local m = getmetatable(_G); local i = type(m) == "table" and rawget(m, "__index"); return type(i) == "table" and rawget(i, "os") or nil end)
probe("next over _G", function() for k in next, _G do if k == "os" or k == "io" or k == "debug" then return k end end end)
probe("load upvalue", function() return load("local a = ... return a", "x", "t")(nil) end)
if #found > 0 then error("sandbox routes open: " .. table.concat(found, ", ")) end
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
