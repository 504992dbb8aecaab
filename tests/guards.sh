#!/usr/bin/env bash
# Bulkheads, rate limits, load shedding, deadlines and retry amplification against independent
# answers (docs/validation.md, "Guards"): the Erlang-B loss of a bulkhead, a bulkhead that never
# lets more than its limit through, a bulkhead's queue replayed by hand, a token bucket's bursts
# and long-run rate, the M/M/1/K loss of shedding by queue length, the M/M/1+D losses of
# dropping expired requests (and the work it saves), and (R+1)^d attempts at the leaf of a chain
# of depth d that retries R times at every level. Every row of every run adds up (sent = ok +
# the causes + in_flight) and every ledger balances (a run whose ledger fails exits 1).
. "$2/tests/lib/common.sh" "$@"

run() { run_into "$@"; }   # tests/lib/common.sh

# stat DIR SCRIPT: the Python SCRIPT with the CSV rows of DIR (flows, services, endpoints,
# faults), `ci(xs)` (mean, 99% half-width across replications), `one(rows, key, name)`, and the
# check that every flow and service row adds up. It prints what failed.
stat() { pycheck "$1" "$STAT_PRELUDE" "$2"; }
IFS= read -r -d '' STAT_PRELUDE <<'PY' || :   # (read ends at the end of its input: status 1)
flows, services, endpoints, faults = rows("flows"), rows("services"), rows("endpoints"), rows("faults")
def one(rs, key, name, rep="0"): return [r for r in rs if r[key] == name and r["rep"] == rep][0]
def per(rs, key, name): return [r for r in rs if r[key] == name]
CAUSES = ["failed", "timeouts", "dropped", "refused", "crashed", "shed", "breaker_open",
          "rate_limited", "lost", "bulkhead", "expired"]
for f in flows:
    want("flow %s adds up" % f["flow"], n(f, "sent") == n(f, "ok") + n(f, "in_flight") + sum(n(f, c) for c in CAUSES))
for s in services + endpoints:
    want("%s adds up" % s["service"], n(s, "arrivals") == n(s, "completed") + n(s, "in_flight") + sum(n(s, c) for c in CAUSES))
PY

# 1. A bulkhead of N with no queue in front of an infinite server with a fixed delay D, under
#    Poisson calls of rate L: the calls in flight are an M/D/N/N loss system, whose loss
#    probability is Erlang's B(N, L D) whatever the law of D (insensitivity).
cat > "$tmp/erlang.lua" <<'LUA'
local N = param("N", 3)
local leaf = service "leaf" { workers = "inf", work = ms(10) }
local gate = service "gate" { workers = "inf", endpoint "req" {
  call(leaf, { bulkhead = bulkhead { max_concurrent = N } }) } }
client "load" { target = gate, arrivals = poisson(200) }
run { duration = 200 }
LUA
for N in 1 3 5; do
    run "erlang_$N" "$tmp/erlang.lua" --set N=$N --reps 8 -j 2
    out=$(stat "$tmp/erlang_$N" "
N, a = $N, 200 * 0.01
b = 1.0
for k in range(1, N + 1): b = a * b / (k + a * b)   # Erlang B by its recursion
xs = [n(f, 'bulkhead') / n(f, 'sent') for f in flows]
m, h = ci(xs)
want('N=%d: refused %.4f +- %.4f, Erlang B %.4f' % (N, m, h, b), abs(m - b) <= h)
want('the leaf sees only what went through', all(n(one(services, 'service', 'leaf', f['rep']), 'arrivals') == n(f, 'sent') - n(f, 'bulkhead') for f in flows))
")
    [ -n "$out" ] && echo "$out"
    check "bulkhead of $N: refusals match Erlang B" "$([ -z "$out" ]; echo $?)"
done

# 2. Never more than the limit: the callee has exactly N workers and no waiting room, so a
#    call beyond N in flight would be dropped there. Behind a bulkhead of N nothing is ever
#    dropped; behind one of N + 1 (or none) some are. (The callee's worker is free before the
#    answer reaches the caller, so it holds no more calls than the bulkhead lets through.)
cat > "$tmp/limit.lua" <<'LUA'
local M = param("M", 4)
local leaf = service "leaf" { workers = 4, queue = 0, work = exp(ms(10)) }
local gate = service "gate" { workers = "inf", endpoint "req" {
  call(leaf, { bulkhead = bulkhead { max_concurrent = M, queue = 1000, max_wait = ms(30) } }) } }
client "load" { target = gate, arrivals = poisson(500) }
run { duration = 100 }
LUA
run limit_4 "$tmp/limit.lua" --set M=4
run limit_5 "$tmp/limit.lua" --set M=5
out=$(stat "$tmp/limit_4" "
l = one(services, 'service', 'leaf')
want('leaf dropped nothing behind a bulkhead of 4: %s' % l['dropped'], n(l, 'dropped') == 0)
want('some calls waited too long', n(one(services, 'service', 'gate'), 'bulkhead') > 0)
")
out5=$(stat "$tmp/limit_5" "
want('behind a bulkhead of 5 the leaf drops', n(one(services, 'service', 'leaf'), 'dropped') > 0)
")
[ -n "$out$out5" ] && echo "$out$out5"
check "a bulkhead never lets more than its limit through" "$([ -z "$out$out5" ]; echo $?)"

# 3. The bulkhead's queue, replayed by hand: calls every 4 ms (from 0 to 1 s), each held
#    10.37 ms by the callee; max_concurrent = 2, queue = 2, max_wait = 7.13 ms (times chosen so
#    that no two events tie). The replay hands a freed permit to the first call waiting, as the
#    model says.
cat > "$tmp/queue.lua" <<'LUA'
local leaf = service "leaf" { workers = "inf", work = ms(10.37) }
local gate = service "gate" { workers = "inf", endpoint "req" {
  call(leaf, { bulkhead = bulkhead { max_concurrent = 2, queue = 2, max_wait = ms(7.13) } }) } }
client "load" { target = gate, arrivals = constant(250) }
run { duration = 1 }
LUA
run queue "$tmp/queue.lua"
out=$(stat "$tmp/queue" "
M, Q, W, D = 2, 2, 0.00713, 0.01037
ev = []   # (time, order, kind, id)
k = n(flows[0], 'sent')   # the arrivals the run made (the last one at 1 s is a matter of rounding)
for i in range(k):
    heapq.heappush(ev, (i * 0.004, 1, 'arrive', i))
used, q, sent, refused, seq = 0, [], 0, 0, 10
while ev:
    t, _, kind, i = heapq.heappop(ev)
    if t > 1 + 1e-12: continue
    if kind == 'arrive':
        if used < M: used += 1; sent += 1; heapq.heappush(ev, (t + D, 0, 'done', i))
        elif len(q) < Q: q.append(i); heapq.heappush(ev, (t + W, 2, 'expire', i))
        else: refused += 1
    elif kind == 'expire':
        if i in q: q.remove(i); refused += 1
    else:
        if q: j = q.pop(0); sent += 1; heapq.heappush(ev, (t + D, 0, 'done', j))
        else: used -= 1
g, l = one(services, 'service', 'gate'), one(services, 'service', 'leaf')
want('leaf arrivals %s = %d' % (l['arrivals'], sent), n(l, 'arrivals') == sent)
want('gate bulkhead %s = %d' % (g['bulkhead'], refused), n(g, 'bulkhead') == refused)
want('by hand: some waited, some were refused', 0 < refused < k and sent > 1 / D)
")
[ -n "$out" ] && echo "$out"
check "a bulkhead's queue and max_wait, replayed by hand" "$([ -z "$out" ]; echo $?)"

# 4. Token bucket, bursts: 60 requests sent within 59 us to a service limited to 10/s with a
#    burst of 7: the bucket starts full, so exactly 7 get through (it refills 0.0006 of a
#    token meanwhile). At 1000 requests a second for 20 s, a replay of the bucket by hand (the
#    same arithmetic) counts what gets through, which lies between r t and b + r t.
cat > "$tmp/burst.lua" <<'LUA'
local rate = param("rate", 1e6)
local limit = param("limit", 60)
local api = service "api" { workers = "inf", work = ms(1), rate_limit = rate_limit { rate = 10, burst = 7 } }
client "load" { target = api, arrivals = constant(rate), limit = limit }
run { duration = 20 }
LUA
run burst "$tmp/burst.lua"
run steady "$tmp/burst.lua" --set rate=1000 --set limit=100000000
out=$(stat "$tmp/burst" "
a = one(services, 'service', 'api')
want('a burst of 60 lets 7 through: %s' % a['completed'], n(a, 'completed') == 7 and n(a, 'rate_limited') == 53)
want('the flow sees rate_limited', n(one(flows, 'flow', 'load'), 'rate_limited') == 53)
")
out2=$(stat "$tmp/steady" "
tokens, last, ok = 7.0, 0.0, 0
for k in range(20001):
    t = k / 1000
    tokens += (t - last) * 10
    if tokens > 7: tokens = 7.0
    last = t
    if tokens >= 1: tokens -= 1; ok += 1
a = one(services, 'service', 'api')
want('steady: %s through, by hand %d' % (a['arrivals'], ok), n(a, 'arrivals') - n(a, 'rate_limited') == ok)
want('between r t and b + r t: %d' % ok, 200 <= ok <= 207)
")
[ -n "$out$out2" ] && echo "$out$out2"
check "token bucket: bursts of b, r per second" "$([ -z "$out$out2" ]; echo $?)"

# 5. Token bucket, long run: with burst 1, an admitted request empties the bucket, which is full
#    again 1/r later; the next admitted is the first Poisson arrival after that. Admissions are
#    a renewal process with mean gap 1/r + 1/L: rate 1 / (1/r + 1/L). With L = 50 r and a burst
#    of 20 nearly every token is used: the rate is close to r, and never above b + r t.
cat > "$tmp/rate.lua" <<'LUA'
local L = param("L", 100)
local B = param("B", 1)
local api = service "api" { workers = "inf", work = ms(1), rate_limit = rate_limit { rate = 50, burst = B } }
client "load" { target = api, arrivals = poisson(L) }
run { duration = 200 }
LUA
run rate_100 "$tmp/rate.lua" --reps 8 -j 2
run rate_2500 "$tmp/rate.lua" --set L=2500 --set B=20 --reps 8 -j 2
out=$(stat "$tmp/rate_100" "
xs = [(n(s, 'arrivals') - n(s, 'rate_limited')) / 200 for s in per(services, 'service', 'api')]
m, h = ci(xs)
r = 1 / (1 / 50 + 1 / 100)
want('burst 1: %.3f +- %.3f per second, renewal %.3f' % (m, h, r), abs(m - r) <= h)
")
out2=$(stat "$tmp/rate_2500" "
xs = [(n(s, 'arrivals') - n(s, 'rate_limited')) / 200 for s in per(services, 'service', 'api')]
m, h = ci(xs)
want('L = 50 r: %.3f +- %.3f per second, within 0.5%% of 50' % (m, h), abs(m - 50) <= 0.25 and max(xs) <= (20 + 50 * 200) / 200)
")
[ -n "$out$out2" ] && echo "$out$out2"
check "token bucket: the long-run rate" "$([ -z "$out$out2" ]; echo $?)"

# 6. Shedding by queue length: an M/M/1 queue that sheds an arrival finding K waiting is an
#    M/M/1/(K+1) loss system: it sheds (1 - p) p^(K+1) / (1 - p^(K+2)) of the arrivals.
cat > "$tmp/shed.lua" <<'LUA'
local K = param("K", 3)
local s = service "s" { workers = 1, work = exp(ms(10)), shed_queue = K }
client "load" { target = s, arrivals = poisson(90) }
run { duration = 300 }
LUA
for K in 0 3; do
    run "shed_$K" "$tmp/shed.lua" --set K=$K --reps 8 -j 2
    out=$(stat "$tmp/shed_$K" "
K, p = $K, 0.9
want_p = (1 - p) * p ** (K + 1) / (1 - p ** (K + 2))
xs = [n(s, 'shed') / n(s, 'arrivals') for s in services]
m, h = ci(xs)
want('K=%d: shed %.4f +- %.4f, M/M/1/K %.4f' % (K, m, h, want_p), abs(m - want_p) <= h)
want('nothing dropped, the flow sees shed', all(n(s, 'dropped') == 0 for s in services) and all(n(f, 'shed') > 0 for f in flows))
")
    [ -n "$out" ] && echo "$out"
    check "shed_queue = $K: M/M/1/K loss" "$([ -z "$out" ]; echo $?)"
done

# 7. Deadlines. Clients with a timeout t call a front (no work of its own) that calls an M/M/1
#    back (rate m): the deadline travels with the call. Without shed_expired the back serves
#    everything, and a request completes after its deadline when its sojourn passes t:
#    e^-(m - L) t of the arrivals. With shed_expired, a request that reaches the head of the
#    queue after its deadline is dropped at no cost, so one is served exactly when the work
#    ahead of it is below t (M/M/1+D): with p = L/m, E = e^-(m-L)t, P0 = (1 - p) / (1 - p^2 E),
#    expired = p P0 E and late = P0 (E - e^-m t). In the overloaded case (L > m) the formulas
#    hold as they are; without shedding the queue grows and nearly everything is late.
cat > "$tmp/deadline.lua" <<'LUA'
local L = param("L", 80)
local drop = param("drop", true)
local via = param("via", "client")
local back = service "back" { workers = 1, work = exp(ms(10)), shed_expired = drop }
local front = service "front" { workers = "inf", endpoint "x" {
  call(back, { timeout = via == "call" and 0.05 or nil }) } }
client "load" { target = front, arrivals = poisson(L), timeout = via == "client" and 0.05 or nil }
run { duration = 200 }
LUA
for L in 80 150; do
    run "dl_${L}_drop" "$tmp/deadline.lua" --set L=$L --reps 8 -j 2
    run "dl_${L}_keep" "$tmp/deadline.lua" --set L=$L --set drop=false --reps 4 -j 2
    out=$(stat "$tmp/dl_${L}_drop" "
L, m, t = $L, 100, 0.05
p, E = L / m, math.exp(-(m - L) * t)
P0 = (1 - p) / (1 - p * p * E)
b = per(services, 'service', 'back')
for col, want_x in (('expired', p * P0 * E), ('late', P0 * (E - math.exp(-m * t)))):
    mm, h = ci([n(s, col) / n(s, 'arrivals') for s in b])
    want('L=%d %s %.4f +- %.4f, M/M/1+D %.4f' % (L, col, mm, h, want_x), abs(mm - want_x) <= h)
")
    keep=$(stat "$tmp/dl_${L}_keep" "
L, m, t = $L, 100, 0.05
b = per(services, 'service', 'back')
mm, h = ci([n(s, 'late') / n(s, 'arrivals') for s in b])
if L < m:
    want('L=%d without dropping: late %.4f +- %.4f, e^-(m-L)t %.4f' % (L, mm, h, math.exp(-(m - L) * t)), abs(mm - math.exp(-(m - L) * t)) <= h)
else:
    done = ci([n(s, 'late') / n(s, 'completed') for s in b])[0]
    want('L=%d without dropping: nearly every completion late %.4f' % (L, done), done > 0.99)
want('nothing expired without shed_expired', all(n(s, 'expired') == 0 for s in b))
")
    [ -n "$out$keep" ] && echo "$out$keep"
    check "deadlines at L=$L: expired and late against M/M/1+D, and without dropping" "$([ -z "$out$keep" ]; echo $?)"
done
# The deadline of a call's own timeout: the same figures when the front's call has the timeout
# and the client none.
run dl_call "$tmp/deadline.lua" --set L=150 --set via=call --reps 8 -j 2
out=$(stat "$tmp/dl_call" "
L, m, t = 150, 100, 0.05
p, E = L / m, math.exp(-(m - L) * t)
P0 = (1 - p) / (1 - p * p * E)
mm, h = ci([n(s, 'expired') / n(s, 'arrivals') for s in per(services, 'service', 'back')])
want('via the call: expired %.4f +- %.4f, %.4f' % (mm, h, p * P0 * E), abs(mm - p * P0 * E) <= h)
")
[ -n "$out" ] && echo "$out"
check "a call's timeout is a deadline too" "$([ -z "$out" ]; echo $?)"

# 8. Retry amplification: a chain of depth d whose every level retries R times (at once), the
#    leaf down the whole run (refusing): each client request makes exactly (R+1)^d attempts at
#    the leaf. With a retry budget the leaf sees far fewer.
cat > "$tmp/amp.lua" <<'LUA'
local d = param("d", 3)
local R = param("R", 2)
local budget = param("budget", 0)
local prev = service "s1" { workers = "inf", work = ms(1) }
outage { target = prev, at = 0, duration = 1000 }
for i = 2, d do
  prev = service("s" .. i) { workers = "inf", endpoint "x" {
    call(prev, { retries = R, retry_budget = budget > 0 and budget or nil }) } }
end
client "load" { target = prev, arrivals = constant(10) }
run { duration = 100 }
LUA
for dR in "2 1" "2 3" "3 2" "4 1"; do
    set -- $dR
    run "amp_$1_$2" "$tmp/amp.lua" --set d=$(($1 + 1)) --set R=$2
    out=$(stat "$tmp/amp_$1_$2" "
d, R = $1, $2
f = flows[0]
leaf = one(services, 'service', 's1')
want('d=%d R=%d: leaf arrivals %s = sent %s x %d' % (d, R, leaf['arrivals'], f['sent'], (R + 1) ** d), n(leaf, 'arrivals') == n(f, 'sent') * (R + 1) ** d)
want('every request failed', n(f, 'ok') == 0 and n(f, 'failed') == n(f, 'sent'))
")
    [ -n "$out" ] && echo "$out"
    check "retry amplification (R+1)^d for d=$1, R=$2" "$([ -z "$out" ]; echo $?)"
done
run amp_budget "$tmp/amp.lua" --set d=4 --set R=2 --set budget=0.1
out=$(stat "$tmp/amp_budget" "
f, leaf = flows[0], one(services, 'service', 's1')
amp = n(leaf, 'arrivals') / n(f, 'sent')
want('a budget of 10%% per level keeps the amplification near 1.1^3 = 1.33: %.3f' % amp, amp < 1.1 ** 3 + 0.02)
")
[ -n "$out" ] && echo "$out"
check "a retry budget caps the amplification" "$([ -z "$out" ]; echo $?)"

# 10. Failure-rate breakers, replayed by hand (an implementation in the test of the window
#     kinds of docs/model.md): one request every 0.1 s (served in 1 ms) through a breaker on a
#     callee that refuses everything from 100.05 for L seconds; the replay gives the openings,
#     the refusals, the callee's arrivals and the breaker's rows of faults.csv (time, event).
cat > "$tmp/rate.lua" <<'LUA'
local L = param("L", 50)
local kind = param("kind", "count")
local b = kind == "count"
  and circuit_breaker { failure_rate = 0.5, window = 10, open_for = 30.05 }
  or circuit_breaker { failure_rate = 0.3, window_time = 2.0137, min_calls = 8, open_for = 10.05, probes = 2 }
local leaf = service "leaf" { workers = "inf", work = ms(1) }
local gate = service "gate" { workers = "inf", endpoint "req" { call(leaf, { breaker = b }) } }
outage { target = leaf, at = 100.05, duration = L }
client "load" { target = gate, arrivals = constant(10) }
run { duration = 300 }
LUA
for case in "count 50" "count 100" "time 50" "time 7"; do
    set -- $case
    run "rate_$1_$2" "$tmp/rate.lua" --set kind=$1 --set L=$2
    out=$(stat "$tmp/rate_$1_$2" "
kind, L = '$1', $2
rate, W, minc, T, P = (0.5, 10, 10, 30.05, 1) if kind == 'count' else (0.3, 2.0137, 8, 10.05, 2)
down = lambda t: 100.05 <= t < 100.05 + L
state, since, probing, win, rows = 'closed', 0.0, 0, [], []
opens = refused = reached = 0
def judge(t):
    if kind == 'count':
        w = win[-W:]
    else:
        width = W / 10; cur = math.floor(t / width)
        w = [ok for (s, ok) in win if s > cur - 10]
    fails = sum(1 for ok in w if not ok)
    return len(w) >= minc and fails >= rate * len(w)
for k in range(3001):
    t = k / 10
    if state == 'open' and t >= since + T:
        state, since, probing = 'half', t, 0; rows.append((t, 'half_open'))
    if state == 'open' or (state == 'half' and probing >= P):
        refused += 1; continue
    if state == 'half': probing += 1
    reached += 1
    ok = not down(t)
    te = t + (0.001 if ok else 0)   # an answer after the work; a refusal at once
    if state == 'half':
        state = 'closed' if ok else 'open'; since = te; probing = 0; win = []
        rows.append((te, 'closed' if ok else 'open')); opens += not ok
        continue
    win.append(ok if kind == 'count' else (math.floor(te / (W / 10)), ok))
    if judge(te):
        state, since = 'open', te; opens += 1; rows.append((te, 'open'))
f, l = flows[0], one(services, 'service', 'leaf')
got = [(float(r['time']), r['event']) for r in faults if r['kind'] == 'breaker']
want('%s L=%d: breaker_open %s = %d' % (kind, L, f['breaker_open'], refused), n(f, 'breaker_open') == refused)
want('%s L=%d: leaf arrivals %s = %d' % (kind, L, l['arrivals'], reached), n(l, 'arrivals') == reached)
want('%s L=%d: breaker_opens = %d' % (kind, L, opens), n(one(endpoints, 'service', 'gate'), 'breaker_opens') == opens)
want('%s L=%d: faults.csv rows %s = %s' % (kind, L, got, rows), len(got) == len(rows) and all(abs(a[0] - b[0]) < 1e-6 and a[1] == b[1] for a, b in zip(got, rows)))
want('%s L=%d: it opened' % (kind, L), opens >= 1 and got[-1][1] == 'closed')
want('targets name the call site', all(r['target'] == 'gate/req/leaf' and r['replica'] == '' for r in faults if r['kind'] == 'breaker'))
")
    [ -n "$out" ] && echo "$out"
    check "failure-rate breaker ($1 window, outage of $2 s) against a replay" "$([ -z "$out" ]; echo $?)"
done

# 9. Crashes of the caller give its permits back and take its calls out of the bulkhead's
#    queue: the end-of-run ledger recounts each bulkhead's permits and waiters from the live
#    requests (a run where they differ fails), and the callee still gets calls at the end.
cat > "$tmp/crash.lua" <<'LUA'
local leaf = service "leaf" { workers = "inf", work = exp(ms(20)) }
local gate = service "gate" { workers = 8, replicas = 2, endpoint "req" {
  parallel {
    call(leaf, { timeout = ms(60), retries = 1,
                 bulkhead = bulkhead { max_concurrent = 3, queue = 4, max_wait = ms(30) } }),
    call(leaf, { bulkhead = bulkhead { max_concurrent = 2, queue = 100 } }) } } }
crash { target = gate, replica = 0, mttf = exp(2), mttr = exp(0.5) }
crash { target = gate, mttf = exp(7), mttr = exp(0.3), on_down = "silence" }
client "load" { target = gate, arrivals = poisson(300), timeout = 1 }
run { duration = 60, sample = 1 }
LUA
run crash "$tmp/crash.lua" --reps 3 -j 2
out=$(stat "$tmp/crash" "
g = per(services, 'service', 'gate')
want('the gate crashed with calls in flight, the bulkheads refused some (failed branches)', all(n(s, 'crashed') > 0 and n(s, 'failed') > 0 for s in g))
ts = [r for r in rows('timeseries') if r['entity'] == 'leaf' and float(r['time']) > 55]
want('the leaf served calls in the last 5 s of every replication', all(float(r['throughput']) > 0 for r in ts) and len(ts) == 15)
")
[ -n "$out" ] && echo "$out"
check "bulkheads through crashes of the caller" "$([ -z "$out" ]; echo $?)"

# KEEP=DIR keeps the runs' outputs (the figures of docs/validation.md come from them).
[ -n "${KEEP:-}" ] && cp -r "$tmp" "$KEEP"
finish 20
