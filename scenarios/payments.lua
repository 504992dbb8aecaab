-- scenarios/payments.lua — charging cards behind a queue: lost, doubled or exactly once.
--
-- A checkout publishes a "charge" message for every order (10 per second) to the queue
-- `charges` and answers the shopper. The `payments` service consumes it: a call to the card
-- provider that usually takes 300 ms but has a long tail (p99 3 s), and fails 10% of the time
-- (a transient error: the charge did not happen). What happens next is the subscription's
-- delivery semantics, chosen with --set mode=...:
--   at_most_once   the message is acknowledged when the charge starts: a failure loses it
--                  (an order never paid);
--   at_least_once  acknowledged after the charge: a failure is retried (redelivered), after 3
--                  tries the message goes to a dead-letter queue for a person to look at; a
--                  charge still running after the 2 s visibility timeout is redelivered too,
--                  and charged twice (duplicates);
--   idempotent     the same, with an idempotency key: a charge already made is recognised and
--                  not made again (duplicates suppressed).
local mode = param("mode", "idempotent")
local rate = param("rate", 10)

link { latency = exp(ms(1)) }

local payments = service "payments" { workers = 8, error_rate = 0.1,
  endpoint "charge" { work(exp(ms(5))), io(lognormal { median = ms(300), p99 = 3 }) } }
local review = service "review" { workers = 1, work = exp(20) }   -- a person, 20 s a case
local charges = queue "charges" { }
local parked = queue "charges_dlq" { }
if mode == "at_most_once" then
  subscribe(charges, payments, { consumers = 8, delivery = "at_most_once" })
else
  subscribe(charges, payments, { consumers = 8, visibility_timeout = 2, max_deliveries = 3,
                                 dead_letter = parked, idempotent = mode == "idempotent",
                                 dedupe_window = mode == "idempotent" and 3600 or nil })
end
subscribe(parked, review)

local checkout = service "checkout" { workers = 16,
  endpoint "order" { work(exp(ms(20))), publish(charges, { ack = true }) } }

client "shoppers" { target = checkout.order, arrivals = poisson(rate) }

run { duration = 3600, warmup = 60, sample = 60 }
