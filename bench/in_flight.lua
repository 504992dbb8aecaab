-- bench/in_flight.lua — memory per request in flight (a root and one call): `users` closed users
-- with no think time call service "back", which holds each request for 1000 s on one of its
-- `workers` threads (more than the users, and the same at every size), so all `users` requests
-- stay in flight, each the client's request and its call at the service, with the call's
-- pending event. The difference of peak RSS between two sizes, over the difference of users,
-- is the memory per request in flight (bench/scale.sh).
--   dessa run bench/in_flight.lua -q -o /tmp/if --set users=100000
local users = param("users", 10000)
local workers = param("workers", 100000)
local back = service "back" { workers = workers, work = const(1000) }
client "users" { target = back, users = users }
run { duration = 10, sample = 10 }
