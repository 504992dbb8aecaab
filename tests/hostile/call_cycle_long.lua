-- attacks: a call cycle 3 000 services long, by name (the cycle message must stay one short line)
-- expect: exit 1
for i = 1, 3000 do service("s" .. i) { endpoint "e" { call("s" .. (i % 3000 + 1)) } } end
client "c" { target = "s1", users = 1 }
run { duration = 2 }
