-- attacks: error(42): a number as the error object
-- must: a located message, e.g. 'FILE:3: 42'
-- expect: exit 1
error(42)
