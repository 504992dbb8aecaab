-- expect: tests/errors/error_escape.lua:4: \27[31mred\27[0m\nsecond line
-- only: dessa
-- Control characters (terminal escapes, newlines) of any message are escaped: one plain line.
error("\27[31mred\27[0m\nsecond line")
