-- attacks: a string doubled by concatenation until memory runs out, inside pcall (the memory error is caught and the loop retried)
-- must: a memory limit that pcall cannot swallow for ever, or the budget
-- expect: exit 1
-- load-seconds: 3
-- expect-match: scenario ran too long \(more than 3 seconds
local s = "x"
while true do
  local ok, r = pcall(function() return s .. s end)
  if ok then s = r end
end
