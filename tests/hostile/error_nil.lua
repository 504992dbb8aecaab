-- attacks: error(nil): the message is the bare word "nil", with no file or line (finding 10)
-- must: a located message, e.g. 'FILE:3: error object is nil'
-- expect: exit 1
error(nil)
