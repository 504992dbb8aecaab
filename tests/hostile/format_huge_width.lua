-- attacks: string.format with absurd widths and precisions, utf8.char out of range; each must fail cleanly
-- expect: exit 0
for _, f in ipairs({ "%099999d", "%.99999f", "%9999999999s", "%-#+ 0100x", "%q%" }) do pcall(string.format, f, 1) end
pcall(utf8.char, 2^31, -1)
pcall(string.char, 256)
pcall(string.rep, "x", -1)
pcall(math.random, 0)
pcall(math.random, 3, 1)
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
