-- attacks: the first line of /etc/passwd smuggled into a service name (hex-encoded) through the empirical error message
-- forbid: 726f6f74
local _, msg = pcall(empirical, { file = "/etc/passwd", column = "?" })
local hex = tostring(msg):match("columns: (.*)") or ""
hex = hex:sub(1, 16):gsub(".", function(c) return string.format("%02x", c:byte()) end)
local web = service("web" .. hex) { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
