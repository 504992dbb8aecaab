-- attacks: the instruction budget caught by pcall and the loop restarted (finding 4: the budget is catchable)
-- must: an uncatchable budget: stop even when pcall catches the first error
-- expect: exit 1
while true do pcall(function() while true do end end) end
