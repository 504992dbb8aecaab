-- expect: tests/errors/subscribe_not_broker.lua:4: subscribe: the first argument must be a queue or a topic (the value of queue "name" { ... }), got service "back"
-- subscribe's first argument is the broker.
local back = service "back" { work = exp(0.1) }
subscribe(back, back)
run { duration = 60 }
