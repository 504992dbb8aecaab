-- attacks: error("boom", 0): a message without a position must still be located
-- must: a located message: prefix the scenario's file and line when the message has none
-- expect: exit 1
error("boom", 0)
