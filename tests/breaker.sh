#!/usr/bin/env bash
# Circuit breakers against answers computed by hand (docs/model.md, "Circuit breakers"): a
# callee down for a known interval behind a breaker — when it opens, how often, that nothing
# reaches the callee while it is open, that a successful probe closes it; a callee that always
# fails (only probes reach it); retries through the breaker; a fallback; the ledger balances in
# every run (a run whose ledger fails exits 1).
. "$2/tests/lib/common.sh" "$@"

run() { run_into "$@"; }   # tests/lib/common.sh

# stat DIR SCRIPT: the Python SCRIPT with the rows of DIR (flows, services, endpoints,
# timeseries) and `expect(...)`, the breaker's state machine replayed by hand on the client's
# arrival times (constant(10): one request at every 0.1 s from 0 to the end inclusive, each
# answered at once when refused, after `work` when served). It prints what failed.
stat() { pycheck "$1" "$STAT_PRELUDE" "$2"; }
IFS= read -r -d '' STAT_PRELUDE <<'PY' || :   # (read ends at the end of its input: status 1)
flows, services, endpoints, ts = rows("flows"), rows("services"), rows("endpoints"), rows("timeseries")
def one(rs, key, name): return [r for r in rs if r[key] == name][0]
def n(r, c): return int(r[c])
def expect(duration, down, F, open_for, P=1, work=0.001, retries=0):
    """Per request: attempts through the breaker, its refusals; returns the counts."""
    state, fails, since, probing = "closed", 0, 0.0, 0
    c = dict(opens=0, refused_by_breaker=0, reached=0, failed_reached=0, req_failed=0,
             req_breaker=0, probes=0, reached_retries=0)
    for k in range(int(round(duration * 10)) + 1):
        t = k / 10
        outcome = None
        for a in range(retries + 1):   # retries at once (no backoff): the same instant
            if state == "open" and t >= since + open_for:
                state, since, probing = "half", t, 0
            if state == "open" or (state == "half" and probing >= P):
                c["refused_by_breaker"] += 1
                outcome = "breaker"
                continue
            if state == "half":
                probing += 1
                c["probes"] += 1
            c["reached"] += 1
            if a > 0: c["reached_retries"] += 1
            bad = down(t)
            if not bad:
                if state == "half": state = "closed"
                fails, outcome = 0, "ok"
                break
            c["failed_reached"] += 1
            outcome = "failed"
            tr = t + (work if down is ALWAYS else 0)   # a served failure answers after its work
            if state == "half":
                state, since, probing = "open", tr, 0
                c["opens"] += 1
            else:
                fails += 1
                if fails >= F:
                    state, since, fails = "open", tr, 0
                    c["opens"] += 1
        if outcome == "failed": c["req_failed"] += 1
        if outcome == "breaker": c["req_breaker"] += 1
    return c
def ALWAYS(t): return True
PY

# 1. An outage of L seconds (refusing) behind failures = 5, open_for = 30.05 (the .05 keeps
#    every boundary between two arrivals). By hand for L = 50 (down [100.05, 150.05)): the
#    attempts at 100.1 .. 100.5 fail, it opens at 100.5; the first attempt after 130.55 is a
#    probe at 130.6, refused (still down): open again; the probe at 160.7 succeeds and closes
#    it. 2 openings; 300 + 300 attempts refused by the breaker; the callee sees 6 failures.
#    For L = 100: probes at 130.6, 160.7, 190.8 fail, 220.9 closes: 4 openings, 1200 refused.
cat > "$tmp/outage.lua" <<'LUA'
local L = param("L", 50)
local leaf = service "leaf" { workers = "inf", work = ms(1) }
local gate = service "gate" { workers = "inf", endpoint "req" {
  call(leaf, { breaker = circuit_breaker { failures = 5, open_for = 30.05 } }) } }
outage { target = leaf, at = 100.05, duration = L }
client "load" { target = gate, arrivals = constant(10) }
run { duration = 300, sample = 1 }
LUA
for L in 50 100; do
    run "outage_$L" "$tmp/outage.lua" --set L=$L
    out=$(stat "$tmp/outage_$L" "
L = $L
opens, refused = {50: (2, 600), 100: (4, 1200)}[L]
c = expect(300, lambda t: 100.05 <= t < 100.05 + L, 5, 30.05)
want('hand count agrees with the replay', (c['opens'], c['refused_by_breaker']) == (opens, refused))
f, g, l = one(flows, 'flow', 'load'), one(services, 'service', 'gate'), one(services, 'service', 'leaf')
ge = one(endpoints, 'service', 'gate')
want('breaker_opens = %d: %s' % (opens, ge['breaker_opens']), n(ge, 'breaker_opens') == opens)
want('flow breaker_open = %d: %s' % (refused, f['breaker_open']), n(f, 'breaker_open') == refused)
want('gate breaker_open = %d: %s' % (refused, g['breaker_open']), n(g, 'breaker_open') == refused)
want('leaf arrivals = sent - refused by the breaker', n(l, 'arrivals') == n(f, 'sent') - refused)
want('leaf refused = 5 + failed probes = %d: %s' % (5 + opens - 1, l['refused']), n(l, 'refused') == 5 + opens - 1)
want('gate failed = leaf refused', n(g, 'failed') == n(l, 'refused'))
want('flow ok = sent - failed - breaker_open - in_flight', n(f, 'ok') == n(f, 'sent') - n(f, 'failed') - refused - n(f, 'in_flight'))
# while open, nothing reaches the leaf: in each second after the opening at 100.5, the leaf
# counts no completion and no error but for the seconds holding a probe
probe_s = {int(100.5 + 30.1 * k) + 1 for k in range(1, opens + 1)}
lts = [r for r in ts if r['entity'] == 'leaf' and 101 < float(r['time']) <= 100.5 + 30.1 * opens]
bad = [r['time'] for r in lts if float(r['throughput']) != 0 or (int(r['errors']) != 0) != (int(float(r['time'])) in probe_s)]
want('leaf idle while the breaker is open, errors only at the probes %s: %s' % (sorted(probe_s), bad[:5]), lts and not bad)
after = [r for r in ts if r['entity'] == 'leaf' and float(r['time']) > 100.5 + 30.1 * opens + 1]
want('closed after the successful probe: the leaf serves 10/s again', after and all(abs(float(r['throughput']) - 10) < 1e-9 for r in after))
")
    [ -n "$out" ] && echo "$out"
    check "outage L=$L: the breaker opens $([ $L = 50 ] && echo 2 || echo 4) times, nothing reaches the callee while open" "$([ -z "$out" ]; echo $?)"
done

# 2. A callee that always fails (error_rate = 1, answering after its 1 ms of work): only the
#    first 5 attempts and the probes reach it. It opens at 0.401 (the 5th failure, of the
#    request sent at 0.4); each probe is the first arrival after open_for, 10.1 s after the
#    previous failure's send: probes at 10.5, 20.6, ..., 0.4 + 10.1 k up to 300 (29 of them),
#    each failing: 30 openings, 5 + 29 arrivals at the leaf.
cat > "$tmp/always.lua" <<'LUA'
local leaf = service "leaf" { workers = "inf", work = ms(1), error_rate = 1 }
local gate = service "gate" { workers = "inf", endpoint "req" {
  call(leaf, { breaker = circuit_breaker { failures = 5, open_for = 10.05 } }) } }
client "load" { target = gate, arrivals = constant(10) }
run { duration = 300 }
LUA
run always "$tmp/always.lua"
out=$(stat "$tmp/always" "
c = expect(300, ALWAYS, 5, 10.05)
want('hand count agrees with the replay: %s' % c, (c['opens'], c['reached']) == (30, 34))
f, g, l = one(flows, 'flow', 'load'), one(services, 'service', 'gate'), one(services, 'service', 'leaf')
want('leaf arrivals = 34: %s' % l['arrivals'], n(l, 'arrivals') == 34)
want('breaker_opens = 30', n(one(endpoints, 'service', 'gate'), 'breaker_opens') == 30)
want('gate failed = 34, breaker_open = the rest', n(g, 'failed') == 34 and n(g, 'breaker_open') == n(f, 'sent') - 34 - n(f, 'in_flight'))
want('no request succeeds', n(f, 'ok') == 0)
")
[ -n "$out" ] && echo "$out"
check "error_rate = 1: only the probes reach the callee (34 arrivals, 30 openings)" "$([ -z "$out" ]; echo $?)"

# 3. Retries go through the breaker: each attempt counts, and a retry the open breaker
#    refuses fails at once. With retries = 2 (no backoff: the same instant) and failures = 5,
#    during an outage the request at 100.1 fails 3 attempts, the one at 100.2 two more (the
#    breaker opens) and its last retry is refused; the replay counts the rest.
cat > "$tmp/retries.lua" <<'LUA'
local leaf = service "leaf" { workers = "inf", work = ms(1) }
local gate = service "gate" { workers = "inf", endpoint "req" {
  call(leaf, { retries = 2, breaker = circuit_breaker { failures = 5, open_for = 30.05 } }) } }
outage { target = leaf, at = 100.05, duration = 50 }
client "load" { target = gate, arrivals = constant(10) }
run { duration = 300 }
LUA
run retries "$tmp/retries.lua"
out=$(stat "$tmp/retries" "
c = expect(300, lambda t: 100.05 <= t < 150.05, 5, 30.05, retries=2)
f, g, l = one(flows, 'flow', 'load'), one(services, 'service', 'gate'), one(services, 'service', 'leaf')
want('leaf arrivals %s = %d' % (l['arrivals'], c['reached']), n(l, 'arrivals') == c['reached'])
want('leaf refused %s = %d' % (l['refused'], c['failed_reached']), n(l, 'refused') == c['failed_reached'])
want('leaf retries %s = %d' % (l['retries'], c['reached_retries']), n(l, 'retries') == c['reached_retries'])
want('gate failed %s = %d, breaker_open %s = %d' % (g['failed'], c['req_failed'], g['breaker_open'], c['req_breaker']), n(g, 'failed') == c['req_failed'] and n(g, 'breaker_open') == c['req_breaker'])
want('breaker_opens %d' % c['opens'], n(one(endpoints, 'service', 'gate'), 'breaker_opens') == c['opens'])
want('by hand: 2 openings, 2 requests failed, the 5 failures from 2 requests', c['opens'] == 2 and c['failed_reached'] == 6)
")
[ -n "$out" ] && echo "$out"
check "retries: every attempt goes through the breaker" "$([ -z "$out" ]; echo $?)"

# 4. A fallback takes the failures: every request succeeds, the breaker still opens twice and
#    the callee still sees nothing while it is open; the fallback's 5 ms shows in the latency:
#    mean = (served * 1 ms + fallbacks * 5 ms) / ok (a refusal answers at once).
cat > "$tmp/fallback.lua" <<'LUA'
local leaf = service "leaf" { workers = "inf", work = ms(1) }
local gate = service "gate" { workers = "inf", endpoint "req" {
  call(leaf, { breaker = circuit_breaker { failures = 5, open_for = 30.05 }, fallback = work(ms(5)) }) } }
outage { target = leaf, at = 100.05, duration = 50 }
client "load" { target = gate, arrivals = constant(10) }
run { duration = 300 }
LUA
run fallback "$tmp/fallback.lua"
out=$(stat "$tmp/fallback" "
f, g, l = one(flows, 'flow', 'load'), one(services, 'service', 'gate'), one(services, 'service', 'leaf')
want('every request ok', n(f, 'ok') == n(f, 'sent') - n(f, 'in_flight') and n(g, 'failed') == 0 and n(g, 'breaker_open') == 0)
want('breaker_opens 2', n(one(endpoints, 'service', 'gate'), 'breaker_opens') == 2)
want('leaf arrivals = sent - 600', n(l, 'arrivals') == n(f, 'sent') - 600)
fb = 606   # 6 failed calls (refused at once) + 600 refused by the breaker: 5 ms each
m = ((n(f, 'ok') - fb) * 0.001 + fb * 0.005) / n(f, 'ok')
want('latency_mean %s = %.9g' % (f['latency_mean'], m), abs(float(f['latency_mean']) - m) < 1e-9)
")
[ -n "$out" ] && echo "$out"
check "fallback: the failures become answers, with the fallback's time" "$([ -z "$out" ]; echo $?)"

# 5. Half-open lets exactly `probes` attempts through. A callee that always fails after 0.35 s,
#    failures = 1, open_for = 10.02: the request at 0 fails at 0.35 and opens it (those sent
#    at 0.1 .. 0.3 went through while it was closed); a probe at p fails at p + 0.35, so the
#    next goes at the first arrival after p + 10.37: p + 10.4. Probes at 10.4 k (k = 1 .. 9):
#    10 openings; the callee gets 4 + 9 probes = 13 calls with probes = 1, 4 + 9 x 2 = 22 with
#    probes = 2 (the attempts at 10.4 k + 0.1 .. + 0.3 are refused while the probes run).
cat > "$tmp/probes.lua" <<'LUA'
local P = param("P", 1)
local leaf = service "leaf" { workers = "inf", work = 0.35, error_rate = 1 }
local gate = service "gate" { workers = "inf", endpoint "req" {
  call(leaf, { breaker = circuit_breaker { failures = 1, open_for = 10.02, probes = P } }) } }
client "load" { target = gate, arrivals = constant(10) }
run { duration = 100 }
LUA
for P in 1 2; do
    run "probes_$P" "$tmp/probes.lua" --set P=$P
    out=$(stat "$tmp/probes_$P" "
want_arr = {1: 13, 2: 22}[$P]
l = one(services, 'service', 'leaf')
want('leaf arrivals %s = %d' % (l['arrivals'], want_arr), n(l, 'arrivals') == want_arr)
want('breaker_opens 10', n(one(endpoints, 'service', 'gate'), 'breaker_opens') == 10)
")
    [ -n "$out" ] && echo "$out"
    check "probes = $P: exactly $P attempt(s) through each half-open period" "$([ -z "$out" ]; echo $?)"
done

finish 14
