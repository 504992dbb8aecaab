-- attacks: a loop whose bound is 30/0 = inf, declaring a service and a client per turn: the heap grows and the instruction budget did not stop it within 60 s (found by the fuzzer)
-- must: stop within a few seconds with a located message: a limit on memory or time at load, not only an instruction count
-- expect: exit 1
-- load-seconds: 3
-- expect-match: scenario ran too long \(more than 3 seconds
for i = 1, 30/0 do
  local s = service("svc" .. i) { work = exp(0.01) }
  client("c" .. i) { target = s, arrivals = poisson(1) }
end
