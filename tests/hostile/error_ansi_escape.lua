-- attacks: an error message carrying terminal escape sequences and control characters (they must be escaped)
-- must: escape control characters in messages
-- expect: exit 1
error("\27[2J\27[31mfake\rprompt$ \7\8\0hidden")
