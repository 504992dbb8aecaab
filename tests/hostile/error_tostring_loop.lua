-- attacks: an error object whose __tostring loops forever (run while the message is being formatted)
-- expect: exit 1
error(setmetatable({}, { __tostring = function() while true do end end }))
