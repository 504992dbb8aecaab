-- attacks: the instruction budget caught by pcall and the loop restarted (finding 4: the budget is catchable)
-- expect: exit 1
while true do pcall(function() while true do end end) end
