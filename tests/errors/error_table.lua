-- expect: tests/errors/error_table.lua:4: error object is a table
-- only: dessa
-- A table as the error object: no address (it would differ from run to run).
error({ code = 1 })
