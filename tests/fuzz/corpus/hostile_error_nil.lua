-- attacks: error(nil): the message is the bare word "nil", with no file or line (finding 10)
-- expect: exit 1
error(nil)
