-- attacks: a text chunk from load that assigns a global (strict globals inside loaded chunks)
-- expect: exit 1
load("rate = 10")()
