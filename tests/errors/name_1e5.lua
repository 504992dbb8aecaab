-- expect: tests/errors/name_1e5.lua:3: service: the name must be a non-empty string of at most 200 letters, digits, "_", "." and "-", got "wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww..."
-- A 100 000-character name: refused at once, the limit said, the name cut.
service(string.rep("w", 100000)) { work = exp(0.01) }
