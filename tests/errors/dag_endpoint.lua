-- expect: tests/errors/dag_endpoint.lua:6: endpoint "e": too large once expanded (2097148 steps and distributions, at most 1000000 per endpoint; a step or list used several times counts once per use)
-- Each parallel stays under the cap; the endpoint listing the largest one twice does not.
local s = work(0.001)
for i = 1, 18 do s = parallel { s, s } end
service "web" {
  endpoint "e" { s, s, s, s },
}
