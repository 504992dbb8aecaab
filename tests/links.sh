#!/usr/bin/env bash
# Failures of links against independent answers (docs/validation.md, "Failures of links"):
# attempts and final failures through a lossy link, the requests a partition loses (their
# number, and exactly which), the loss pattern that does not depend on the rest of the model,
# and callers without a timeout that wait for a lost reply (in flight, not lost from the
# ledger). Every run's ledger balances (a run whose ledger fails exits 1).
. "$2/tests/lib/common.sh" "$@"

run() { run_into "$@"; }   # tests/lib/common.sh

# stat DIR SCRIPT: the Python SCRIPT with the CSV rows of DIR loaded; it prints what failed.
stat() { pycheck "$1" "$STAT_PRELUDE" "$2"; }
IFS= read -r -d '' STAT_PRELUDE <<'PY' || :   # (read ends at the end of its input: status 1)
flows, services, faults, series = rows("flows"), rows("services"), rows("faults"), rows("timeseries")
def svc(name): return [r for r in services if r["service"] == name]
PY

# 1. Loss p on the link between a caller and a service: an attempt fails when its request or
#    its reply is lost, q = 1 - (1 - p)^2 (each crosses once; the service answers well within
#    the timeout). R retries make (1 - q^(R+1)) / (1 - q) attempts per request and fail
#    q^(R+1) of the requests; the link loses q crossings per attempt on average.
cat > "$tmp/loss.lua" <<'LUA'
local p = param("p", 0.2)
local leaf = service "leaf" { workers = "inf", work = ms(1) }
local leaf2 = service "leaf2" { workers = "inf", work = ms(1) }
local gate = service "gate" { workers = "inf", endpoint "req" {
  call(leaf, { timeout = 0.1, retries = 2, backoff = 0.01 }) } }
client "direct" { target = leaf2, arrivals = poisson(100), timeout = 0.1, retries = 3,
                  backoff = 0.01, limit = 190000 }
client "load" { target = gate, arrivals = poisson(100), limit = 190000 }
link { from = gate, to = leaf, loss = p }
link { from = "direct", to = leaf2, loss = p }
run { duration = 2000 }
LUA
run loss "$tmp/loss.lua" --reps 8
out=$(stat "$tmp/loss" '
p = 0.2; q = 1 - (1 - p) ** 2
att, cfail, gfail, per, req = [], [], [], [], []
for f in flows:
    want("all ended", int(f["in_flight"]) == 0)
    if f["flow"] == "direct":
        l = [s for s in svc("leaf2") if s["rep"] == f["rep"]][0]
        a = int(f["attempts"])
        att.append(a / int(f["sent"]))
        cfail.append(int(f["timeouts"]) / int(f["sent"]))
        per.append(int(l["link_lost"]) / a)            # crossings lost per attempt: q
        req.append((a - int(l["arrivals"])) / a)       # requests lost per attempt: p
        # Timeouts of lost requests are not abandoned calls at leaf2, those of lost replies are.
        want("leaf2: abandoned %s = lost replies" % l["abandoned"],
             int(l["abandoned"]) == int(l["link_lost"]) - (a - int(l["arrivals"])))
ab = [int(s["abandoned"]) / int(s["arrivals"]) for s in svc("leaf")]
m, h = ci(ab)
want("leaf: abandoned per call it had %.4f +- %.4f vs p %.4f" % (m, h, p), abs(m - p) <= h)
for g in svc("gate"):
    gfail.append(int(g["timeouts"]) / int(g["arrivals"]))
m, h = ci(att); e = (1 - q ** 4) / (1 - q)
want("client attempts %.4f +- %.4f vs %.4f" % (m, h, e), abs(m - e) <= h)
m, h = ci(cfail); e = q ** 4
want("client failures %.5f +- %.5f vs %.5f" % (m, h, e), abs(m - e) <= h)
m, h = ci(gfail); e = q ** 3
want("call failures %.5f +- %.5f vs %.5f" % (m, h, e), abs(m - e) <= h)
m, h = ci(per)
want("crossings lost per attempt %.4f +- %.4f vs %.4f" % (m, h, q), abs(m - q) <= h)
m, h = ci(req)
want("requests lost per attempt %.4f +- %.4f vs %.4f" % (m, h, p), abs(m - p) <= h)
')
[ -z "$out" ]; check "loss p = 0.2: $out" $?

# p = 0 loses nothing, p = 1 everything (no draw either way).
run loss0 "$tmp/loss.lua" --set p=0
out=$(stat "$tmp/loss0" '
want("p = 0: nothing lost", all(int(s["link_lost"]) == 0 for s in services))
want("p = 0: all ok", all(int(f["ok"]) == int(f["sent"]) for f in flows))
')
[ -z "$out" ]; check "loss p = 0: $out" $?
run loss1 "$tmp/loss.lua" --set p=1
out=$(stat "$tmp/loss1" '
want("p = 1: nothing ok", all(int(f["ok"]) == 0 for f in flows))
want("p = 1: the leaves see nothing", all(int(s["arrivals"]) == 0 for s in svc("leaf") + svc("leaf2")))
')
[ -z "$out" ]; check "loss p = 1: $out" $?

# 2. A partition of D = 5 s between a Poisson(100) client with a timeout and a service that
#    answers at once: the requests sent in the window time out, about 100 * 5 = 500, and
#    exactly those: the same run without the partition answers, in the five 1-second
#    intervals of the window, as many requests as the partitioned one loses.
cat > "$tmp/part.lua" <<'LUA'
local cut = param("cut", 1)
local s = service "server" { workers = "inf", work = 0 }
client "load" { target = s, arrivals = poisson(100), timeout = 1 }
if cut == 1 then partition { between = { "load", s }, at = 20, duration = 5 } end
run { duration = 60, sample = 1 }
LUA
run part "$tmp/part.lua" --reps 10 --seed 7
run nopart "$tmp/part.lua" --reps 10 --seed 7 --set cut=0
out=$(stat "$tmp/part" '
lost = [int(f["timeouts"]) for f in flows]
m, h = ci(lost)
want("lost %.1f +- %.1f vs 500" % (m, h), abs(m - 500) <= h)
for s in services:
    want("link_lost = timeouts", int(s["link_lost"]) == lost[int(s["rep"])])
    # The lost requests never reached the server: not calls it had, so not abandoned there.
    want("abandoned %s = 0" % s["abandoned"], int(s["abandoned"]) == 0)
    want("arrivals + link_lost = sent", int(s["arrivals"]) + int(s["link_lost"]) == int(flows[int(s["rep"])]["sent"]))
for rep in range(10):
    rows_ = [f for f in faults if int(f["rep"]) == rep]
    want("faults.csv rows", [(r["time"], r["target"], r["kind"], r["event"]) for r in rows_] ==
         [("20", "load~server", "partition", "start"), ("25", "load~server", "partition", "end")])
')
[ -z "$out" ]; check "partition: $out" $?
out=$(python3 - "$tmp/nopart" "$tmp/part" 2>&1 <<'PY'
import sys
sys.path.insert(0, "tests/lib")
from rows import rows, want
series = rows("timeseries")
sys.argv[1] = sys.argv[2]
flows = rows("flows")
for rep in range(10):
    sent = sum(round(float(r["throughput"])) for r in series
               if int(r["rep"]) == rep and r["kind"] == "flow" and 20 < float(r["time"]) <= 25)
    lost = int(flows[rep]["timeouts"])
    want("rep %d: sent in the window %d, lost %d" % (rep, sent, lost), sent == lost)
PY
)
[ -z "$out" ]; check "partition loses exactly the window's requests: $out" $?

# Lists on both sides: every pair across is cut, pairs on one side are not.
cat > "$tmp/sides.lua" <<'LUA'
local a = service "a" { workers = "inf", work = ms(1) }
local b = service "b" { workers = "inf", work = ms(1) }
client "c1" { target = a, arrivals = poisson(50), timeout = 1 }
client "c2" { target = b, arrivals = poisson(50), timeout = 1 }
client "c3" { target = b, arrivals = poisson(50), timeout = 1 }
partition { between = { { "c1", "c2" }, { a, b } }, at = 0, duration = 100 }
run { duration = 50 }
LUA
run sides "$tmp/sides.lua"
out=$(stat "$tmp/sides" '
by = {f["flow"]: f for f in flows}
want("c1 and c2 cut", int(by["c1"]["ok"]) == 0 and int(by["c2"]["ok"]) == 0)
want("c3 not cut", int(by["c3"]["ok"]) == int(by["c3"]["sent"]) - int(by["c3"]["in_flight"]))
want("one start row, no end (after the run)", [r["event"] for r in faults] == ["start"] and faults[0]["target"] == "c1+c2~a+b")
')
[ -z "$out" ]; check "partition between lists: $out" $?

# Latency spikes: extra = 0.1 s on the link of a service that answers at once, for [20, 25):
#    a request sent in [20, 24.9) takes 0.2 s (both legs), one sent in [24.9, 25) 0.1 s (its
#    reply leaves after the end), every other none: the latencies add up to
#    λ (4.9 · 0.2 + 0.1 · 0.1) = 99 s on average with λ = 100.
cat > "$tmp/spike.lua" <<'LUA'
local s = service "server" { workers = "inf", work = 0 }
client "load" { target = s, arrivals = poisson(100) }
spike { between = { "load", s }, at = 20, duration = 5, extra = 0.1 }
run { duration = 60 }
LUA
run spike "$tmp/spike.lua" --reps 10 --seed 3
out=$(stat "$tmp/spike" '
tot = [float(f["latency_mean"]) * int(f["ok"]) for f in flows]
m, h = ci(tot)
want("latency sum %.2f +- %.2f vs 99" % (m, h), abs(m - 99) <= h)
want("max 0.2", all(abs(float(f["latency_max"]) - 0.2) < 1e-9 for f in flows))
want("faults.csv rows", all([(r["time"], r["kind"], r["event"]) for r in faults if r["rep"] == str(k)] ==
     [("20", "spike", "start"), ("25", "spike", "end")] for k in range(10)))
')
[ -z "$out" ]; check "latency spike: $out" $?

# 3. Common random numbers: the losses on a link come from its own stream, so a model with an
#    unrelated service and client added loses exactly the same requests.
cat > "$tmp/crn.lua" <<'LUA'
local extra = param("extra", 0)
local s = service "server" { workers = "inf", work = exp(0.01) }
client "load" { target = s, arrivals = poisson(50), timeout = 0.5, retries = 1 }
link { from = "load", to = s, loss = 0.05 }
if extra == 1 then
  local o = service "other" { workers = 2, work = exp(0.01) }
  client "noise" { target = o, arrivals = poisson(80) }
  link { from = "noise", to = o, loss = 0.3 }
end
run { duration = 100, seed = 11 }
LUA
run crn0 "$tmp/crn.lua"
run crn1 "$tmp/crn.lua" --set extra=1
a=$(grep '^0,server,' "$tmp/crn0/services.csv"; grep '^0,load,' "$tmp/crn0/flows.csv")
b=$(grep '^0,server,' "$tmp/crn1/services.csv"; grep '^0,load,' "$tmp/crn1/flows.csv")
[ -n "$a" ] && [ "$a" = "$b" ]; check "same losses with an unrelated part added" $?

# 4. No timeout: a caller whose request or reply is lost waits to the end of the run. It is in
#    flight there (the ledger balances and finds nothing stuck), one per lost crossing.
cat > "$tmp/forever.lua" <<'LUA'
local db = service "db" { workers = 4, work = ms(1) }
local web = service "web" { workers = 1000, endpoint "e" { work(ms(1)), call(db) } }
client "load" { target = web, arrivals = poisson(50), limit = 4000 }
link { from = web, to = db, loss = 0.02 }
run { duration = 100 }
LUA
run forever "$tmp/forever.lua" --reps 3
out=$(stat "$tmp/forever" '
for rep in "012":
    f = [x for x in flows if x["rep"] == rep][0]
    d = [x for x in svc("db") if x["rep"] == rep][0]
    w = [x for x in svc("web") if x["rep"] == rep][0]
    want("lost > 0", int(d["link_lost"]) > 0)
    want("in flight = lost (%s vs %s)" % (f["in_flight"], d["link_lost"]), int(f["in_flight"]) == int(d["link_lost"]))
    want("web holds them", int(w["in_flight"]) == int(d["link_lost"]))
    want("sent = ok + in flight", int(f["sent"]) == int(f["ok"]) + int(f["in_flight"]))
')
[ -z "$out" ]; check "no timeout: in flight for good: $out" $?

# The same for a client's own request and for a call in a parallel branch, cut by a partition.
cat > "$tmp/forever2.lua" <<'LUA'
local s = service "server" { workers = "inf", work = ms(1) }
local f = service "front" { workers = 100, endpoint "e" {
  parallel { { call(s) }, { work(ms(1)) } } } }
client "load" { target = s, arrivals = poisson(100), limit = 3000 }
client "load2" { target = f, arrivals = poisson(100), limit = 3000 }
partition { between = { { "load", f }, s }, at = 10, duration = 1 }
run { duration = 60 }
LUA
run forever2 "$tmp/forever2.lua"
out=$(stat "$tmp/forever2" '
by = {f["flow"]: f for f in flows}
s = svc("server")[0]
want("both cut", int(by["load"]["in_flight"]) > 0 and int(by["load2"]["in_flight"]) > 0)
want("in flight = lost", int(by["load"]["in_flight"]) + int(by["load2"]["in_flight"]) == int(s["link_lost"]))
want("front holds its share", int(svc("front")[0]["in_flight"]) == int(by["load2"]["in_flight"]))
')
[ -z "$out" ]; check "no timeout, partition, parallel branch: $out" $?

finish 10
