-- attacks: an error message carrying terminal escape sequences and control characters (they must be escaped)
-- expect: exit 1
error("\27[2J\27[31mfake\rprompt$ \7\8\0hidden")
