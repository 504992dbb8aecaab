-- attacks: a param default with quotes, backslashes, newlines, control bytes, NUL and invalid UTF-8 (run.json must stay valid JSON)
-- must: valid JSON in run.json whatever the strings
-- expect: exit 0
-- expect-json: run.json
param("note", "q\"b\\n\nt\tc\1\31nul\0end\255\254")
param("big", 2^1000 * 2^100)
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
