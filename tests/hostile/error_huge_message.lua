-- attacks: an error message of 10 million characters: the first line must stay short
-- expect: exit 1
error(string.rep("A", 10000000))
