#!/usr/bin/env bash
# The result files as a set: all appear together or none does (an old set stays whole), errors
# that say what failed, no temporaries after an error or an interruption, numbers that read back,
# per-cause columns, run.json valid JSON even with odd bytes.
. "$2/tests/lib/common.sh" "$@"
mm1=scenarios/mm1.lua

seed_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["seed"])' "$1/run.json"; }
no_temporaries() { ! ls -a "$1" | grep -q 'tmp-'; }

# The review's reproducer: a directory where a file of the set should be.
d=$tmp/d
"$dessa" run $mm1 -q -o "$d" --seed 1; check "first run" $?
cp "$d/flows.csv" "$tmp/flows.seed1"
rm "$d/timeseries.csv"; mkdir "$d/timeseries.csv"
"$dessa" run $mm1 -q -o "$d" --seed 2 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ]; check "a directory in the way: exit $rc, expected 1" $?
grep -q "timeseries.csv' exists and is not a regular file" "$tmp/err"; st=$?
check "message: $(cat "$tmp/err")" $st
cmp -s "$d/flows.csv" "$tmp/flows.seed1"; check "old flows.csv changed" $?
[ "$(seed_of "$d")" = 1 ]; check "old run.json changed" $?
[ -d "$d/timeseries.csv" ]; check "the directory in the way was touched" $?
no_temporaries "$tmp"; check "temporaries left beside the target" $?

# Replacing a set keeps files dessa did not write.
rmdir "$d/timeseries.csv"
echo "my notes" > "$d/notes.txt"
"$dessa" run $mm1 -q -o "$d" --seed 3; check "rerun" $?
[ "$(seed_of "$d")" = 3 ] && [ -s "$d/timeseries.csv" ]; check "new set in place" $?
grep -q "my notes" "$d/notes.txt"; check "a foreign file was lost" $?
no_temporaries "$tmp" && no_temporaries "$d"; check "temporaries after a replacement" $?

# -o on a file, under a file, on a dangling link.
touch "$tmp/file"
"$dessa" run $mm1 -q -o "$tmp/file" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "'$tmp/file' exists and is not a directory" "$tmp/err"; st=$?
check "-o on a file: exit $rc: $(cat "$tmp/err")" $st
"$dessa" run $mm1 -q -o "$tmp/file/sub" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "not a directory" "$tmp/err"; st=$?
check "-o under a file: exit $rc: $(cat "$tmp/err")" $st
ln -s "$tmp/nowhere" "$tmp/dangling"
"$dessa" run $mm1 -q -o "$tmp/dangling" 2>"$tmp/err"; rc=$?
[ $rc -eq 1 ] && grep -q "symbolic link to nothing" "$tmp/err"; st=$?
check "-o on a dangling link: exit $rc: $(cat "$tmp/err")" $st
if [ "$(id -u)" != 0 ]; then
    mkdir "$tmp/ro"; chmod 555 "$tmp/ro"
    "$dessa" run $mm1 -q -o "$tmp/ro/out" 2>"$tmp/err"
    grep -q "Permission denied" "$tmp/err"; st=$?
    check "read-only parent: $(cat "$tmp/err")" $st
    chmod 755 "$tmp/ro"
fi
# A link to a directory is followed: the set lands in the directory it points to.
mkdir "$tmp/real"; ln -s "$tmp/real" "$tmp/link"
"$dessa" run $mm1 -q -o "$tmp/link"; check "-o on a link" $?
[ -L "$tmp/link" ] && [ -s "$tmp/real/flows.csv" ]; check "link followed" $?

# A full disk and a target that is a mount point, in a 128 KB file system of our own (needs a
# private mount namespace; skipped where the system gives none).
if unshare -rm true 2>/dev/null; then
    mkdir "$tmp/mnt"
    cat > "$tmp/tiny.lua" <<'LUA'
local s = service "s" { work = exp(0.5) }
client "c" { target = s, arrivals = poisson(1) }
run { duration = 20, sample = 5 }
LUA
    cat > "$tmp/full.sh" <<'SH'
dessa=$1 m=$2 tiny=$3
mount -t tmpfs -o size=128k tmpfs "$m" || exit 99
"$dessa" run "$tiny" -q -o "$m/out" --seed 1 || echo "FAIL small run"
"$dessa" run scenarios/mm1.lua -q -o "$m/out" --seed 2 --force 2>"$m/../full.err"
[ $? -eq 1 ] || echo "FAIL disk full: exit status"
grep -q "No space left on device" "$m/../full.err" || echo "FAIL disk full: $(cat "$m/../full.err")"
grep -q '"seed": 1' "$m/out/run.json" || echo "FAIL disk full: the old set changed"
ls -a "$m" "$m/out" | grep -q 'tmp-' && echo "FAIL disk full: temporaries left"
"$dessa" run "$tiny" -q -o "$m" --seed 3 || echo "FAIL mount point as target"
grep -q '"seed": 3' "$m/run.json" || echo "FAIL mount point: run.json"
[ -d "$m/out" ] || echo "FAIL mount point: a foreign entry was lost"
ls -a "$m" | grep -q 'tmp-' && echo "FAIL mount point: temporaries left"
echo done
SH
    unshare -rm bash "$tmp/full.sh" "$dessa" "$tmp/mnt" "$tmp/tiny.lua" > "$tmp/full.log" 2>&1
    grep -q '^done$' "$tmp/full.log" && ! grep -q FAIL "$tmp/full.log"; st=$?
    check "full disk and mount point: $(cat "$tmp/full.log")" $st
else
    echo "SKIP full disk and mount point: no private mount namespace"
fi

# Interrupted while running: no temporaries, no set, the signal's exit status.
cat > "$tmp/slow.lua" <<'LUA'
local server = service "server" { workers = 1, work = exp(0.01) }
client "users" { target = server, arrivals = poisson(1) }
run { duration = 3600, sample = 0.001 }
LUA
for sig in INT TERM; do
    "$dessa" run "$tmp/slow.lua" -q -o "$tmp/slow" 2>"$tmp/sig.err" &
    pid=$!
    sleep 1
    kill -$sig $pid
    wait $pid; rc=$?
    [ $rc -gt 128 ]; check "SIG$sig: exit $rc" $?
    grep -q "^dessa: \(interrupted\|terminated\): no results written" "$tmp/sig.err"
    st=$?; check "SIG$sig: says so: $(cat "$tmp/sig.err")" $st
    [ ! -e "$tmp/slow" ] && no_temporaries "$tmp"; st=$?
    check "SIG$sig left files: $(ls -a "$tmp")" $st
done

# A huge time series is announced before the run (and a timeout's SIGTERM still cleans up).
sed 's/duration = 3600/duration = 5e4/' "$tmp/slow.lua" > "$tmp/huge.lua"
timeout 2 "$dessa" run "$tmp/huge.lua" -q -o "$tmp/huge" 2>"$tmp/err"
grep -q "warning: the time series will have 1e+08 rows" "$tmp/err"; st=$?
check "time-series size warning: $(cat "$tmp/err")" $st
[ ! -e "$tmp/huge" ] && no_temporaries "$tmp"; check "timeout left files" $?

# Numbers read back exactly: counts are integers, and the summary of written values equals
# the values computed (throughput = ok / window, exactly as the engine divides).
"$dessa" run $mm1 -q -o "$tmp/n" --reps 2; check "run for numbers" $?
python3 - "$tmp/n" <<'PY'; check "numbers read back" $?
import csv, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/flows.csv")))
for r in rows:
    for k in ("sent", "ok", "failed", "timeouts", "dropped", "in_flight", "incomplete"):
        assert r[k].isdigit(), (k, r[k])
    assert int(r["sent"]) == int(r["ok"]) + int(r["failed"]) + int(r["timeouts"]) + int(r["dropped"]) + int(r["in_flight"])
    assert float(r["throughput"]) == int(r["ok"]) / (100000 - 1000), r["throughput"]
for r in csv.DictReader(open(d + "/services.csv")):
    assert float(r["throughput"]) == int(r["completed"]) / (100000 - 1000)
PY

# Per-cause columns: the old ones in place, every new cause appended.
head -1 "$tmp/n/flows.csv" | grep -q '^rep,flow,sent,ok,failed,timeouts,dropped,in_flight,'
check "flows.csv starts as before" $?
for c in incomplete refused crashed shed breaker_open rate_limited lost bulkhead expired; do
    head -1 "$tmp/n/flows.csv" | tr , '\n' | grep -qx "$c"; check "flows.csv column $c" $?
done
for c in completed failed dropped timeouts refused crashed shed breaker_open rate_limited lost bulkhead expired; do
    head -1 "$tmp/n/services.csv" | tr , '\n' | grep -qx "$c"; check "services.csv column $c" $?
done
# Every row adds up, in the CSV files and in the summary table: flows (sent = ok + failed +
# timeouts + dropped + in_flight + the other causes), services, replicas and endpoints (arrivals
# = completed + failed + dropped + in_flight + the other causes); replicas and endpoints sum to
# their service. The model has them all: a warm-up that requests straddle, a full queue, client
# timeouts, a failing call, three replicas and two endpoints.
cat > "$tmp/adds.lua" <<'LUA'
local db = service "db" { workers = 1, queue = 2, work = exp(ms(40)) }
local svc = service "svc" { workers = 2, replicas = 3, balancer = "random", queue = 4,
  endpoint "a" { work(exp(ms(20))), call(db) },
  endpoint "b" { work(exp(ms(5))), io(exp(ms(30))) } }
local front = service "front" { workers = 16,
  endpoint "get" { call(svc, { endpoint = "a" }), call(svc, { endpoint = "b" }) } }
client "web" { target = front, arrivals = poisson(40), timeout = 0.5 }
client "direct" { target = svc, arrivals = poisson(30) }
run { duration = 60, warmup = 7.3 }
LUA
"$dessa" run "$tmp/adds.lua" -o "$tmp/a" --reps 2 > "$tmp/table"; check "adds-up run" $?
python3 - "$tmp/a" "$tmp/table" <<'PY'; check "rows add up" $?
import csv, sys
d = sys.argv[1]
def rows(f): return list(csv.DictReader(open(d + "/" + f + ".csv")))
flow_other = ("refused", "crashed", "shed", "breaker_open", "rate_limited", "lost", "bulkhead", "expired")
svc_other = ("timeouts",) + flow_other
for r in rows("flows"):
    ended = sum(int(r[k]) for k in ("ok", "failed", "timeouts", "dropped", "in_flight") + flow_other)
    assert int(r["sent"]) == ended, r
seen = {"failed": 0, "timeouts": 0, "dropped": 0}
for r in rows("flows"):
    for k in seen: seen[k] += int(r[k])
assert all(seen.values()), ("the model should produce every cause", seen)
def adds(r):
    ended = sum(int(r[k]) for k in ("completed", "failed", "dropped", "in_flight") + svc_other)
    assert int(r["arrivals"]) == ended, r
svc = {(r["rep"], r["service"]): r for r in rows("services")}
for r in svc.values(): adds(r)
for part in ("replicas", "endpoints"):
    total = {}
    for r in rows(part):
        adds(r)
        t = total.setdefault((r["rep"], r["service"]), {})
        for k in ("arrivals", "completed", "failed", "dropped", "in_flight"):
            t[k] = t.get(k, 0) + int(r[k])
        if part == "replicas":
            for k in ("threads_working", "threads_blocked", "cores_busy"):
                t[k] = t.get(k, 0.0) + float(r[k])
    assert set(total) == set(svc), (part, total.keys())
    for key, t in total.items():
        for k, v in t.items():
            want = float(svc[key][k])
            assert abs(v - want) <= 1e-9 * max(1.0, abs(want)), (part, key, k, v, want)
assert len([r for r in rows("replicas") if r["service"] == "svc"]) == 6   # 3 replicas x 2 reps
assert sorted({r["endpoint"] for r in rows("endpoints") if r["service"] == "svc"}) == ["a", "b"]
for r in rows("replicas"):
    if r["service"] == "svc":
        held = float(r["threads_working"]) + float(r["threads_blocked"])
        assert abs(held + float(r["threads_idle"]) - 2) < 1e-9, r
        assert abs(held / 2 - float(r["utilization"])) < 1e-9, r
# The table: every flow and service row adds up too (means over the replications).
lines = open(sys.argv[2]).read().split("\n")
def table(kind):
    i = next(n for n, l in enumerate(lines) if l.split()[:1] == [kind])
    head = lines[i].split()
    out = {}
    for l in lines[i + 1:]:
        if not l.strip(): break
        cells = l.split()
        out[cells[0]] = {h: float(c.split("±")[0]) for h, c in zip(head[1:], cells[1:]) if c != "-"}
    return out
for name, r in table("flow").items():
    got = r["ok"] + r["failed"] + r["timeouts"] + r["dropped"] + r["in_flight"] + r.get("other", 0)
    assert abs(r["sent"] - got) <= 1, (name, r)
for name, r in table("service").items():
    got = r["completed"] + r["failed"] + r["dropped"] + r["in_flight"] + r.get("other", 0)
    assert abs(r["arrivals"] - got) <= 1, (name, r)
assert "timeouts" in lines[next(n for n, l in enumerate(lines) if l.startswith("flow"))]
PY
# Brokers count by cohort too: a message counts in the window when it was published after the
# warm-up, so each group row adds up (published = acked + lost + dead_lettered + dropped +
# buffered + in_flight) even when messages straddle the warm-up, and a broker row's in_flight
# is what it has not accepted yet. The model keeps a backlog across the warm-up (a consumer at
# 95%), fails a tenth of the processings, drops from a full topic group and dead-letters.
cat > "$tmp/bk.lua" <<'LUA'
local slow = service "slow" { workers = 2, endpoint "e" { error_rate = 0.1, work(exp(0.19)) } }
local fast = service "fast" { workers = 1, work = exp(0.05) }
local dlq = queue "dlq" { }
subscribe(dlq, fast)
local jobs = queue "jobs" { delivery = "at_least_once" }
subscribe(jobs, slow, { consumers = 2, max_deliveries = 2, dead_letter = dlq })
local ev = topic "ev" { capacity = 3 }
subscribe(ev, fast, { group = "g1" })
subscribe(ev, slow, { group = "g2", delivery = "at_most_once", consumers = 2 })
local front = service "front" { workers = 4, endpoint "p" { publish(jobs), publish(ev) } }
client "c" { target = front, arrivals = poisson(9) }
run { duration = 400, warmup = 37.7 }
LUA
"$dessa" run "$tmp/bk.lua" -q -o "$tmp/bk" --reps 2 2>/dev/null; check "broker cohort run" $?
python3 - "$tmp/bk/brokers.csv" <<'PY'
import csv, sys
seen = {"lost": 0, "dead_lettered": 0, "dropped": 0, "redelivered": 0}
for r in csv.DictReader(open(sys.argv[1])):
    n = {k: int(r[k]) for k in ("published", "acked", "lost", "dead_lettered", "dropped",
                                "buffered", "in_flight", "redelivered")}
    assert min(n.values()) >= 0, r
    if r["group"]:
        settled = n["acked"] + n["lost"] + n["dead_lettered"] + n["dropped"]
        assert n["published"] == settled + n["buffered"] + n["in_flight"], r
        for k in seen: seen[k] += n[k]
assert all(seen.values()), ("the model should produce every outcome", seen)
PY
st=$?; check "broker rows add up by cohort" $st
# Per replica against theory: a random balancer splits a Poisson stream into independent Poisson
# streams, so each of 4 single-threaded replicas is an M/M/1 at rho = 0.5: utilization 0.5,
# mean number waiting rho^2 / (1 - rho) = 0.5, idle 0.5 (tolerances about 4 standard deviations
# of one replica's estimate, measured over 40 replicas of other seeds); round robin splits
# arrivals evenly.
cat > "$tmp/split.lua" <<'LUA'
local lb = param("lb", "random")
local s = service "s" { workers = 1, replicas = 4, balancer = lb, work = exp(1) }
client "c" { target = s, arrivals = poisson(2) }
run { duration = 40000, warmup = 1000 }
LUA
"$dessa" run "$tmp/split.lua" -q -o "$tmp/split" --reps 3 -j 2; check "split run" $?
"$dessa" run "$tmp/split.lua" -q -o "$tmp/rr" --set lb=round_robin; check "round-robin run" $?
python3 - "$tmp/split" "$tmp/rr" <<'PY'; check "replicas against M/M/1" $?
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/replicas.csv")))
assert len(rows) == 12, len(rows)
for r in rows:
    for k, want, tol in (("utilization", 0.5, 0.02), ("threads_working", 0.5, 0.02),
                         ("threads_idle", 0.5, 0.02), ("queue_mean", 0.5, 0.08),
                         ("threads_blocked", 0.0, 1e-9)):
        assert abs(float(r[k]) - want) <= tol, (r["rep"], r["replica"], k, r[k], want)
rr = [int(r["arrivals"]) for r in csv.DictReader(open(sys.argv[2] + "/replicas.csv"))]
assert max(rr) - min(rr) <= 1, rr
PY

# Histogram quantiles are written with 4 significant digits.
python3 - "$tmp/a" <<'PY'; check "quantile digits" $?
import csv, sys
for f, cols in (("flows", ("latency_p50", "latency_p99", "latency_p999")),
                ("endpoints", ("residence_p50", "residence_p99"))):
    for r in csv.DictReader(open(sys.argv[1] + "/" + f + ".csv")):
        for c in cols:
            if r[c]:
                digits = r[c].replace("0.", "").lstrip("0").replace(".", "").split("e")[0]
                assert len(digits) <= 4, (f, c, r[c])
PY

# Every column is documented.
for f in flows services timeseries latency replicas endpoints; do
    for c in $(head -1 "$tmp/n/$f.csv" | tr , ' '); do
        grep -q "\`$c\`" docs/outputs.md; check "$f.csv column $c is not in docs/outputs.md" $?
    done
done
python3 - "$tmp/n" <<'PY'; check "rows as long as the header" $?
import csv, sys
for f in ("flows", "services", "timeseries", "latency", "replicas", "endpoints"):
    rows = list(csv.reader(open(sys.argv[1] + "/" + f + ".csv")))
    assert all(len(r) == len(rows[0]) for r in rows), f
PY

# run.json is valid JSON and UTF-8 with odd bytes in the path and in a --set value.
odd=$(printf '%s/p\xe9"\\\x01.lua' "$tmp")
{ echo 'local label = param("label", "x")'; cat $mm1; } > "$odd"
"$dessa" run "$odd" -q -o "$tmp/j" --set "label=$(printf 'a\xff\xc3(b')"; check "odd bytes run" $?
python3 - "$tmp/j/run.json" <<'PY'; check "run.json with odd bytes" $?
import json, sys
j = json.load(open(sys.argv[1], encoding="utf-8"))
assert j["params"]["label"] == "a\ufffd\ufffd(b", j["params"]
assert j["scenario"].endswith("p\ufffd\"\\\x01.lua"), j["scenario"]
assert j["seed"] == 1 and len(j["replications"]) == 1
assert j["replications"][0]["ledger"] == "balanced"
PY
# The effective seed: --seed, else run { seed }.
printf 'run { duration = 10, seed = 42 }\nlocal s = service "s" { work = exp(1) }\nclient "c" { target = s, arrivals = poisson(0.5) }\n' > "$tmp/seeded.lua"
"$dessa" run "$tmp/seeded.lua" -q -o "$tmp/s1"; [ "$(seed_of "$tmp/s1")" = 42 ]
check "run.json records run.seed" $?
"$dessa" run "$tmp/seeded.lua" -q -o "$tmp/s2" --seed 9; [ "$(seed_of "$tmp/s2")" = 9 ]
check "run.json records --seed" $?
finish 40
