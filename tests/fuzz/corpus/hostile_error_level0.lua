-- attacks: error("boom", 0): a message without a position must still be located
-- expect: exit 1
error("boom", 0)
