-- attacks: a string doubled by concatenation until memory runs out, inside pcall (the memory error is caught and the loop retried)
-- must: a memory limit that pcall cannot swallow for ever, or the budget
-- expect: exit 1
-- load-seconds: 3
-- (each turn copies up to 1 GB, so the 3 s guard is overrun by a copy: 4-5 s of CPU, page faults
-- included; the default 4 s CPU limit failed it on a quiet machine)
-- cpu: 10
-- expect-match: scenario ran too long \(more than 3 seconds
local s = "x"
while true do
  local ok, r = pcall(function() return s .. s end)
  if ok then s = r end
end
