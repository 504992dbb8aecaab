-- attacks: an endless loop inside an xpcall message handler
-- must: the budget also stops message handlers
-- expect: exit 1
xpcall(error, function() while true do end end)
