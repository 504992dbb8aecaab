-- expect: tests/errors/error_no_position.lua:4: boom
-- only: dessa
-- error(msg, 0) gives a message without a position: the line of the erroring frame is added.
local function f() error("boom", 0) end
f()
