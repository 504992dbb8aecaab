-- attacks: empirical reading the scenario file itself (a file that is not numeric)
-- expect: exit 1
local web = service "web" { work = empirical { file = "emp_scenario_itself.lua", column = 1 } }
client "c" { target = web, arrivals = poisson(1) }
run { duration = 1 }
