-- attacks: rawset on a distribution and a service handle after validation, to smuggle a negative mean, a NaN and a renamed service into the model
-- expect: exit 0
-- expect-csv: services.csv completed > 0
local d = uniform(0.001, 0.002)
pcall(rawset, d, "lo", 0/0)
pcall(rawset, d, "hi", -5)
pcall(rawset, d, "kind", "bogus")
local web = service "web" { work = d }
pcall(rawset, web, "name", "no such service")
client "c" { target = web, arrivals = poisson(10) }
run { duration = 10 }
