-- attacks: error({}): the message is a table address that changes from run to run (finding 10)
-- must: a located message without an address, e.g. 'FILE:3: error object is a table'
-- expect: exit 1
-- forbid: 0x[0-9a-f]+
error({ code = 42 })
