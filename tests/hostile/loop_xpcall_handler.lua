-- attacks: an endless loop inside an xpcall message handler
-- expect: exit 1
xpcall(error, function() while true do end end)
