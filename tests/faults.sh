#!/usr/bin/env bash
# Failures and retries against independent answers (docs/validation.md, "Failures and
# retries"): attempts and final failures of independent attempts, the availability of a chain
# of crashing services, the requests an outage refuses, a crash that loses exactly what it held,
# failure times that do not depend on the rest of the model, slowdowns, the retry budget; the
# ledger balances in every run (a run whose ledger fails exits 1).
. "$2/tests/lib/common.sh" "$@"

run() { run_into "$@"; }   # tests/lib/common.sh

# stat DIR SCRIPT: runs the Python SCRIPT with the CSV rows of DIR loaded (flows, services,
# replicas, faults: lists of dicts) and `ci(xs)` (mean, 99% half-width); it prints what failed.
stat() { pycheck "$1" "$STAT_PRELUDE" "$2"; }
IFS= read -r -d '' STAT_PRELUDE <<'PY' || :   # (read ends at the end of its input: status 1)
flows, services, replicas, faults = rows("flows"), rows("services"), rows("replicas"), rows("faults")
def svc(name): return [r for r in services if r["service"] == name]
PY
# (its errors, a Python exception included, end up in what the checks below read)

# 1. Independent attempts: an infinite server with exp(1) work and a per-attempt timeout T fails
#    an attempt with p = e^-T; R retries make (1 - p^(R+1)) / (1 - p) attempts per request on
#    average and fail p^(R+1) of the requests. Backoff and jitter only move the attempts in time.
cat > "$tmp/retry.lua" <<'LUA'
local T = param("T", 0.5)
local R = param("R", 2)
local jitter = param("jitter", "none")
local leaf = service "leaf" { workers = "inf", work = exp(1) }
local gate = service "gate" { workers = "inf", endpoint "req" {
  call(leaf, { timeout = T, retries = R, backoff = exponential_backoff(0.01, { cap = 0.1 }),
               jitter = jitter }) } }
client "load" { target = gate, arrivals = poisson(200), limit = 38000 }   -- all done by the end
run { duration = 200 }
LUA
for j in none full decorrelated; do
    run "retry_$j" "$tmp/retry.lua" --reps 5 --set jitter=$j
    out=$(stat "$tmp/retry_$j" '
p = math.exp(-0.5); R = 2
att, fails, amp = [], [], []
for rep in "01234":
    g = [r for r in svc("gate") if r["rep"] == rep][0]
    l = [r for r in svc("leaf") if r["rep"] == rep][0]
    ended = int(g["arrivals"]) - int(g["in_flight"])
    att.append(int(l["arrivals"]) / int(g["arrivals"]))
    fails.append(int(g["timeouts"]) / ended)
    want("all ended", int(g["in_flight"]) == 0)
    want("leaf retries = arrivals - first attempts", int(l["retries"]) == int(l["arrivals"]) - int(g["arrivals"]))
    want("abandoned = timeouts of the attempts", int(l["abandoned"]) >= int(g["timeouts"]))
m, h = ci(att); want("attempts %.4f +- %.4f vs %.4f" % (m, h, (1 - p**(R+1)) / (1 - p)), abs(m - (1 - p**(R+1)) / (1 - p)) <= h)
m, h = ci(fails); want("failures %.4f +- %.4f vs %.4f" % (m, h, p**(R+1)), abs(m - p**(R+1)) <= h)
')
    [ -z "$out" ]; check "retries ($j jitter): $out" $?
done

# The same from the client's side: client-side timeout and retries.
cat > "$tmp/client_retry.lua" <<'LUA'
local leaf = service "leaf" { workers = "inf", work = exp(1) }
client "load" { target = leaf, arrivals = poisson(200), timeout = 1, retries = 3,
                backoff = 0.01, jitter = "equal", limit = 38000 }
run { duration = 200 }
LUA
run client_retry "$tmp/client_retry.lua" --reps 5
out=$(stat "$tmp/client_retry" '
p = math.exp(-1.0); R = 3
att = [int(f["attempts"]) / int(f["sent"]) for f in flows]
fails = [int(f["timeouts"]) / (int(f["sent"]) - int(f["in_flight"])) for f in flows]
m, h = ci(att); want("client attempts %.4f +- %.4f" % (m, h), abs(m - (1 - p**(R+1)) / (1 - p)) <= h)
m, h = ci(fails); want("client failures %.5f +- %.5f" % (m, h), abs(m - p**(R+1)) <= h)
for f in flows:
    want("availability = ok / ended", abs(float(f["availability"]) - int(f["ok"]) / (int(f["sent"]) - int(f["in_flight"]))) < 1e-12)
')
[ -z "$out" ]; check "client retries: $out" $?

# 2. A chain of k = 3 services, each alternating up and down (exponential MTTF 9, MTTR 1): a
#    short synchronous request gets through when all three are up as it passes, A^3 with
#    A = MTTF / (MTTF + MTTR) = 0.9.
cat > "$tmp/chain.lua" <<'LUA'
local c = service "c" { workers = "inf", work = us(1) }
local b = service "b" { workers = "inf", endpoint "e" { work(us(1)), call(c) } }
local a = service "a" { workers = "inf", endpoint "e" { work(us(1)), call(b) } }
for _, s in ipairs({ a, b, c }) do crash { target = s, mttf = exp(9), mttr = exp(1) } end
client "user" { target = a, arrivals = poisson(20) }
run { duration = 4000 }
LUA
run chain "$tmp/chain.lua" --reps 6
out=$(stat "$tmp/chain" '
av = [float(f["availability"]) for f in flows]
m, h = ci(av); want("chain availability %.4f +- %.4f vs 0.729" % (m, h), abs(m - 0.729) <= h)
up = [float(r["uptime"]) for r in services]
m, h = ci(up); want("uptime %.4f +- %.4f vs 0.9" % (m, h), abs(m - 0.9) <= h)
for f in flows:
    errs = int(f["failed"]) + int(f["refused"]) + int(f["crashed"])
    want("every error is a refusal or a failure below", errs == int(f["sent"]) - int(f["ok"]) - int(f["in_flight"]))
')
[ -z "$out" ]; check "chain of crashing services: $out" $?

# 3. An outage of d = 5 s in Poisson arrivals at 100/s refuses about 500 requests (Poisson).
cat > "$tmp/outage.lua" <<'LUA'
local s = service "s" { workers = 8, work = exp(ms(10)) }
client "load" { target = s, arrivals = poisson(100) }
outage { target = s, at = 20, duration = 5 }
run { duration = 60, sample = 1 }
LUA
run outage "$tmp/outage.lua" --reps 10
out=$(stat "$tmp/outage" '
ref = [int(r["refused"]) for r in services]
m, h = ci(ref); want("refused %.1f +- %.1f vs 500" % (m, h), abs(m - 500) <= h)
want("flows see the refusals", [int(f["refused"]) for f in flows] == ref)
want("uptime 55/60", all(abs(float(r["uptime"]) - 55 / 60) < 1e-12 for r in services))
want("faults.csv: a start and an end per replication", [(r["time"], r["kind"], r["event"], r["replica"]) for r in faults] == [("20", "outage", "start", ""), ("25", "outage", "end", "")] * 10)
ts = [r for r in rows("timeseries") if r["entity"] == "s" and r["rep"] == "0"]
want("timeseries down: 1 in (20, 25], else 0", len(ts) == 60 and all(float(r["down"]) == (1 if 20 < float(r["time"]) <= 25 else 0) for r in ts))
want("timeseries down: empty for flows", all(r["down"] == "" for r in rows("timeseries") if r["kind"] == "flow"))
')
[ -z "$out" ]; check "outage: $out" $?

# 4. A crash of a replica holding 100 001 requests (one in service, the rest queued) fails
#    exactly those, and nothing at the other replica, which holds as many.
cat > "$tmp/crash.lua" <<'LUA'
local s = service "s" { workers = 1, replicas = 2, work = 1000 }
client "load" { target = s, arrivals = constant(200000), limit = 200002 }
outage { target = s, replica = 1, at = 2, duration = 1 }
run { duration = 10 }
LUA
run crash "$tmp/crash.lua"
out=$(stat "$tmp/crash" '
r0, r1 = replicas[0], replicas[1]
want("replica 1 lost its 100001: %s" % r1["crashed"], int(r1["crashed"]) == 100001 and int(r1["in_flight"]) == 0)
want("replica 0 lost nothing: %s" % r0["crashed"], int(r0["crashed"]) == 0 and int(r0["in_flight"]) == 100001)
want("the flow saw them", int(flows[0]["crashed"]) == 100001)
')
[ -z "$out" ]; check "crash with 1e5 queued: $out" $?

# 5. Failure times come from the fault's own stream: a model with another client, another
#    service and a different load sees the same crashes of "db".
cat > "$tmp/same1.lua" <<'LUA'
local db = service "db" { workers = 2, work = exp(ms(5)) }
client "load" { target = db, arrivals = poisson(50) }
crash { target = db, mttf = exp(20), mttr = exp(2) }
run { duration = 500 }
LUA
cat > "$tmp/same2.lua" <<'LUA'
local cache = service "cache" { workers = 4, work = exp(ms(1)) }
local db = service "db" { workers = 8, work = exp(ms(9)) }
local web = service "web" { workers = 32, endpoint "get" { call(cache), call(db, { timeout = 1 }) } }
client "users" { target = web, arrivals = poisson(300) }
client "batch" { target = db, arrivals = poisson(5), timeout = 1 }
crash { target = cache, mttf = exp(50), mttr = exp(5) }
crash { target = db, mttf = exp(20), mttr = exp(2), on_down = "silence" }
run { duration = 500 }
LUA
run same1 "$tmp/same1.lua" --reps 2 --seed 7
run same2 "$tmp/same2.lua" --reps 2 --seed 7
a=$(grep ',db,' "$tmp/same1/faults.csv"); b=$(grep ',db,' "$tmp/same2/faults.csv")
[ -n "$a" ] && [ "$a" = "$b" ] && [ "$(echo "$a" | wc -l)" -gt 20 ]
check "same failure times in two models that differ elsewhere" $?

# 6. A slowdown of 3 for 100 s of a 300 s run: constant work of 1 s takes 3 s while it lasts.
cat > "$tmp/slow.lua" <<'LUA'
local s = service "s" { workers = "inf", work = 1 }
client "load" { target = s, arrivals = constant(1) }
slowdown { target = s, at = 100.5, duration = 100, factor = 3 }
run { duration = 300 }
LUA
run slow "$tmp/slow.lua"
out=$(stat "$tmp/slow" '
e = rows("endpoints")[0]
want("residence max 3: %s" % e["residence_max"], float(e["residence_max"]) == 3)
want("residence mean: %s" % e["residence_mean"], abs(float(e["residence_mean"]) - (200 * 1 + 100 * 3) / 300) < 0.01)
')
[ -z "$out" ]; check "slowdown: $out" $?

# 7. A retry budget of 0.1: with most attempts failing, retries stay within 10% of the first
#    attempts (plus the bucket's burst of 10).
cat > "$tmp/budget.lua" <<'LUA'
local leaf = service "leaf" { workers = "inf", work = exp(1) }
local gate = service "gate" { workers = "inf", endpoint "req" {
  call(leaf, { timeout = 0.1, retries = 3, retry_budget = 0.1 }) } }
client "load" { target = gate, arrivals = poisson(100) }
run { duration = 100 }
LUA
run budget "$tmp/budget.lua"
out=$(stat "$tmp/budget" '
l = svc("leaf")[0]; g = svc("gate")[0]
first = int(l["arrivals"]) - int(l["retries"])
want("budget: %s retries for %d first attempts" % (l["retries"], first), int(l["retries"]) <= 0.1 * first + 10 and int(l["retries"]) >= 0.09 * first)
')
[ -z "$out" ]; check "retry budget: $out" $?

# 8. The ledger through every kind of loss: crashes (refused and silent) of single replicas and
#    whole services, in the middle of parallel branches, non-blocking calls, sleeps and
#    retries with timeouts, on a host's cores.
cat > "$tmp/stress.lua" <<'LUA'
host "vm" { cores = 2 }
local db = service "db" { workers = 3, replicas = 3, balancer = "least_outstanding", queue = 50,
  work = exp(ms(20)) }
local cache = service "cache" { workers = 2, host = "vm", work = exp(ms(2)) }
local api = service "api" { workers = 16, endpoint "get" {
  work(ms(1)),
  parallel { call(cache, { timeout = ms(30), retries = 1 }),
             { sleep(ms(2)), call(db, { timeout = ms(80), retries = 2,
                                        backoff = exponential_backoff(ms(5)),
                                        jitter = "decorrelated", blocking = false }) } },
  io(ms(1)) } }
crash { target = db, replica = 1, mttf = exp(3), mttr = exp(1), on_down = "silence" }
crash { target = cache, mttf = exp(5), mttr = exp(0.5) }
crash { target = api, mttf = exp(10), mttr = exp(0.2) }
outage { target = db, at = 20, duration = 3, on_down = "silence" }
slowdown { target = db, replica = 0, at = 5, duration = 10, factor = 4 }
client "users" { target = api, arrivals = poisson(150), timeout = 0.5, retries = 1 }
run { duration = 60, warmup = 5 }
LUA
run stress "$tmp/stress.lua" --reps 3 -j 2
out=$(stat "$tmp/stress" '
for f in flows:
    causes = ["ok", "failed", "timeouts", "dropped", "refused", "crashed", "shed", "breaker_open", "rate_limited", "lost", "bulkhead", "expired"]
    want("flow adds up", int(f["sent"]) == int(f["in_flight"]) + sum(int(f[c]) for c in causes))
for s in services:
    causes = ["completed", "failed", "dropped", "timeouts", "refused", "crashed", "shed", "breaker_open", "rate_limited", "lost", "bulkhead", "expired"]
    want("service adds up", int(s["arrivals"]) == int(s["in_flight"]) + sum(int(s[c]) for c in causes))
want("some of everything", sum(int(s["crashed"]) for s in services) > 0 and sum(int(s["lost"]) for s in services) > 0 and sum(int(s["refused"]) for s in services) > 0)
')
[ -z "$out" ]; check "stress: $out" $?

# KEEP=DIR keeps the runs' outputs (the figures of docs/validation.md come from them).
[ -n "${KEEP:-}" ] && cp -r "$tmp" "$KEEP"
finish 15
