-- scenarios/payment_idempotency.lua — at-least-once payments: charged twice, and in what order.
--
-- Customers (2 000 of them) make 10 transactions a second through `payments-api`, which
-- publishes each one to `transactions` and answers. The consumer `charger` takes a transaction,
-- does 5 ms of work, calls the card network `bank` (median 200 ms, p99 3 s) and records the
-- result in its ledger (2 ms). Delivery is at least once: a transaction not acknowledged within
-- the 2 s visibility timeout is delivered again while the first charge goes on, and one of the
-- two instances of `charger` crashes now and then (up a mean of 2 minutes, down 5 s), losing
-- the transactions it holds, which are delivered again (to the other instance). Two questions,
-- two parameters:
--   idempotent   false: every redelivery that runs to the end is recorded again: a double
--                charge in the ledger (`duplicates` in brokers.csv); true: the consumer
--                remembers the transactions it has processed (`idempotent = true`, a unique key
--                in its ledger) and does not apply one twice (`duplicates_suppressed`);
--   partitioned  true: `transactions` is a topic of 16 partitions keyed by customer, one
--                consumer per partition, so a customer's transactions are processed in order;
--                false: a plain queue with 16 competing consumers (prefetch 32): faster, but
--                `out_of_order` counts the transactions processed before an earlier one.
-- The card network's own count tells what the consumer's memory cannot stop: `bank`
-- completions (services.csv) minus the transactions acknowledged (`acked`) are the requests
-- the bank received more than once — the second charge of a redelivery that started while
-- the first was still running, and the charge of a transaction lost in a crash after its bank
-- call had gone out. Only an idempotency key honoured by the bank itself would remove those.
--
--   dessa run scenarios/payment_idempotency.lua --reps 5
--   dessa run scenarios/payment_idempotency.lua --reps 5 --set idempotent=false -o out/payment_idempotency-plain
--   dessa sweep scenarios/payment_idempotency.lua      (both parameters, both values)
local idempotent = param("idempotent", true)    -- the consumer recognises a repeated transaction
local partitioned = param("partitioned", true)  -- keyed partitions (order per customer) or a queue
local rate = param("rate", 10)                  -- transactions per second
local partitions = param("partitions", 16)      -- partitions, and consumers
local mttf = param("mttf", 120)                 -- mean time between crashes of the charger, s

link { latency = exp(ms(1)) }

local bank = service "bank" { workers = "inf",
  endpoint "charge" { io(lognormal { median = ms(200), p99 = 3 }) } }
local charger = service "charger" { workers = 32, replicas = 2,
  endpoint "charge" { work(exp(ms(5))), call(bank), work(ms(2)) } }
crash { target = charger, replica = 0, mttf = exp(mttf), mttr = exp(5) }

local transactions
if partitioned then
  transactions = topic "transactions" { partitions = partitions }
  subscribe(transactions, charger, { consumers = partitions, visibility_timeout = 2,
                                     idempotent = idempotent })
else
  transactions = queue "transactions" { }
  subscribe(transactions, charger, { consumers = partitions, prefetch = 2 * partitions,
                                     visibility_timeout = 2, idempotent = idempotent })
end

local api = service "payments-api" { workers = 32,
  endpoint "pay" { work(exp(ms(3))),
                   publish(transactions, { ack = true, key = partitioned and keys(2000) or nil }) } }

client "customers" { target = api.pay, arrivals = poisson(rate) }
run { duration = 3600, sample = 10 }
sweep { idempotent = { false, true }, partitioned = { false, true }, reps = 3 }
