-- expect: tests/errors/error_number.lua:4: 42
-- only: dessa
-- A number as the error object is shown as text, located.
error(42)
