-- example: guide_shop
-- A shop front that calls a catalogue synchronously.
local threads = param("threads", 4)              -- change with --set threads=16

link { latency = exp(ms(1)) }                      -- every hop: 1 ms on average

local catalogue = service "catalogue" { workers = 8, work = exp(ms(20)) }
local front = service "front" { workers = threads, queue = 50,
  endpoint "product" {
    work(exp(ms(5))),                              -- render: holds a thread
    call(catalogue),                               -- blocks the thread until the reply
    work(ms(1)),
  },
}

client "browsers" { target = front, arrivals = poisson(100), timeout = 2 }

run { duration = 300, warmup = 30, sample = 5 }
