-- attacks: error(42): a number as the error object
-- expect: exit 1
error(42)
