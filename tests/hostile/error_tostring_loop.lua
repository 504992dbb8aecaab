-- attacks: an error object whose __tostring loops forever (run while the message is being formatted)
-- must: end: format the error object without running its __tostring, or under the budget
-- expect: exit 1
error(setmetatable({}, { __tostring = function() while true do end end }))
