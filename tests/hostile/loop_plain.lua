-- attacks: while true do end at load time: the instruction budget must stop it, with a readable message (finding 4)
-- must: stop within a few seconds with the budget message (and %lld fixed)
-- expect: exit 1
while true do end
