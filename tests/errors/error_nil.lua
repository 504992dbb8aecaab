-- expect: tests/errors/error_nil.lua:4: error object is nil
-- only: dessa
-- error() with no message still names the line.
error(nil)
