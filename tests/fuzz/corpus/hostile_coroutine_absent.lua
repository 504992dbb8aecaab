-- attacks: an endless coroutine ping-pong; coroutine is not in the sandbox, so this must be a located unknown-name error
-- expect: exit 1
-- expect-match: coroutine
local co = coroutine.wrap(function() while true do coroutine.yield() end end)
while true do co() end
