-- attacks: a --set string value with JSON metacharacters, recorded verbatim in run.json
-- must: valid JSON in run.json whatever the --set value
-- set: mode="},{"x":1,"\u0000
-- expect: exit 0
-- expect-json: run.json
local mode = param("mode", "baseline")
local web = service "web" { work = exp(0.01) }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
