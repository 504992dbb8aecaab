#!/usr/bin/env bash
# dessa sweep: the points a sweep expands to, its files against dessa run, the summary against
# an independent computation, the same bytes whatever -j and after an interruption, and errors.
. "$2/tests/lib/common.sh" "$@"

cat > "$tmp/m.lua" <<'LUA'
local rate = param("rate", 0.5)
local mode = param("mode", "a")
local users = param("users", 1)
local think = param("think", 1)
local s = service "s" { workers = 1, endpoint "e" { work(exp(1)) } }
client "c" { target = s, arrivals = poisson(rate) }
run { duration = 2000, warmup = 100 }
sweep { rate = range(0.1, 0.5, 0.2), mode = { "a", "b" }, reps = 3,
        zip { users = { 1, 2 }, think = { 10, 20 } },
        where = function(p) return not (p.mode == "b" and p.users == 2) end }
LUA

# same_numbers A B: the files hold the same numbers, field by field, within 1e-9 relative (the
# t quantiles here are the published ones, the program's come from GSL: they agree to ~1e-11).
same_numbers() {
    paste -d' ' "$1" "$2" | awk '{ n = NF / 2; if (NF % 2) bad = 1
        for (i = 1; i <= n; i++) { a = $i; b = $(i + n); d = a - b; if (d < 0) d = -d
            m = a < 0 ? -a : a; if (d > 1e-9 * (m > 1e-300 ? m : 1)) bad = 1 } }
        END { exit bad || NR == 0 }'
}

# same_sweep LABEL REF DIR...: sweep.csv and sweep_summary.csv of every DIR are REF's, byte for
# byte (one check per file).
same_sweep() {
    local label=$1 ref=$2 f d ok
    shift 2
    for f in sweep.csv sweep_summary.csv; do
        ok=0
        for d in "$@"; do cmp -s "$ref/$f" "$d/$f" || ok=1; done
        check "$f: $label" $ok
    done
}

# The points: rate (3 values, declared first, varies slowest) x mode (2) x the zip (2), minus
# the mode=b, users=2 corner: 3 * (2 * 2 - 1) = 9 points, in this order.
"$dessa" sweep "$tmp/m.lua" -q -o "$tmp/a" -j 1
check "sweep exits 0" $?
expected='0,0.1,a,1,10
1,0.1,a,2,20
2,0.1,b,1,10
3,0.3,a,1,10
4,0.3,a,2,20
5,0.3,b,1,10
6,0.5,a,1,10
7,0.5,a,2,20
8,0.5,b,1,10'
got=$(awk -F, 'NR > 1 && $6 == 0 { print $1 "," $2 "," $3 "," $4 "," $5 }' "$tmp/a/sweep.csv")
[ "$got" = "$expected" ]
check "the points of rate x mode x zip(users, think) where ..." $?
head -1 "$tmp/a/sweep.csv" | grep -q '^point,rate,mode,users,think,rep,c.sent,c.ok,'
check "sweep.csv header: point, the params in declaration order, rep, entity.metric" $?
[ "$(($(wc -l < "$tmp/a/sweep.csv") - 1))" -eq 27 ]
check "sweep.csv: one row per point and replication (27)" $?

# A point is exactly dessa run --set with the point's values.
"$dessa" run "$tmp/m.lua" -q --set rate=0.3 --set mode=b --set users=1 --set think=10 --reps 3 \
    -o "$tmp/run5"
for f in flows services timeseries latency; do
    cmp -s "$tmp/a/points/5/$f.csv" "$tmp/run5/$f.csv"
    check "point 5's $f.csv is dessa run --set's" $?
done
# dessa run ignores the sweep: the params' defaults.
"$dessa" run "$tmp/m.lua" -q -o "$tmp/plain" && grep -q '"rate": 0.5' "$tmp/plain/run.json"
check "dessa run of a scenario with a sweep runs the defaults" $?

# Common random numbers: mode does not change the model, so points 0 and 2 have equal metrics.
a0=$(awk -F, 'NR > 1 && $1 == 0 { $1 = $3 = $4 = $5 = ""; print }' "$tmp/a/sweep.csv")
a2=$(awk -F, 'NR > 1 && $1 == 2 { $1 = $3 = $4 = $5 = ""; print }' "$tmp/a/sweep.csv")
[ -n "$a0" ] && [ "$a0" = "$a2" ]
check "points that differ only in an unused param see the same random numbers" $?

# The summary against an independent computation (mean, sample sd, t(0.975, 2) = 4.302652729911275).
col=$(head -1 "$tmp/a/sweep.csv" | tr , '\n' | grep -n '^c.latency_mean$' | cut -d: -f1)
awk -F, -v c="$col" 'NR > 1 && $1 == 4 { x[n++] = $c } END {
    m = (x[0] + x[1] + x[2]) / 3; v = 0; for (i = 0; i < 3; i++) v += (x[i] - m) ^ 2
    sd = sqrt(v / 2); printf "%.12g %.12g %.12g\n", m, sd, 4.302652729911275 * sd / sqrt(3) }' \
    "$tmp/a/sweep.csv" > "$tmp/ref"
awk -F, '$1 == 4 && $6 == "c.latency_mean" { printf "%.12g %.12g %.12g\n", $8, $9, $10 }' \
    "$tmp/a/sweep_summary.csv" > "$tmp/sum"
same_numbers "$tmp/ref" "$tmp/sum"
st=$?; check "sweep_summary: mean, sd, half-width of c.latency_mean at point 4 ($(cat "$tmp/sum") vs $(cat "$tmp/ref"))" $st
grep -q '^4,0.3,a,2,20,c.sent,3,' "$tmp/a/sweep_summary.csv"
check "sweep_summary: point, params, metric, n, mean, sd, half_width" $?

# The same bytes with -j 2 (replications in parallel) and with 1 replication per point on
# 2 threads (points in parallel).
"$dessa" sweep "$tmp/m.lua" -q -o "$tmp/b" -j 2
same_sweep "-j 1 and -j 2 give the same bytes" "$tmp/a" "$tmp/b"
"$dessa" sweep "$tmp/m.lua" -q -o "$tmp/c1" -j 1 --reps 1 &&
    "$dessa" sweep "$tmp/m.lua" -q -o "$tmp/c2" -j 2 --reps 1
same_sweep "points in parallel give the same bytes" "$tmp/c1" "$tmp/c2"
[ "$(awk -F, 'NR > 1 && $1 == 0' "$tmp/c1/sweep_summary.csv" | cut -d, -f9 | sort -u)" = "" ]
check "one replication: sd and half-width are empty, not 0" $?

# --compare: paired differences, against an independent computation from sweep.csv (with
# --param rate=0.1,0.5 --param mode=a, points 0 and 2 differ only in rate; t(0.975, 3)).
"$dessa" sweep "$tmp/m.lua" -q -o "$tmp/cmp" --compare mode=a,b --param rate=0.1,0.5 --reps 4
check "--compare exits 0" $?
head -1 "$tmp/cmp/sweep_compare.csv" | grep -q '^rate,users,think,metric,point_a,point_b,n,mean_a,mean_b,diff_mean,diff_sd,diff_half_width$'
check "sweep_compare.csv header" $?
"$dessa" sweep "$tmp/m.lua" -q -o "$tmp/cmp3" --compare rate=0.1,0.5 --param rate=0.1,0.5 \
    --param mode=a --reps 4
col=$(head -1 "$tmp/cmp3/sweep.csv" | tr , '\n' | grep -n '^s.queue_mean$' | cut -d: -f1)
awk -F, -v c="$col" 'NR > 1 && $1 == 0 { a[$6] = $c } NR > 1 && $1 == 2 { b[$6] = $c } END {
    n = 0; s = 0; for (r in a) { d[n] = b[r] - a[r]; s += d[n]; n++ }
    m = s / n; v = 0; for (i = 0; i < n; i++) v += (d[i] - m) ^ 2
    printf "%d %.12g %.12g\n", n, m, 3.182446305284263 * sqrt(v / (n - 1)) / sqrt(n) }' \
    "$tmp/cmp3/sweep.csv" > "$tmp/ref"
awk -F, '$4 == "s.queue_mean" && $5 == 0 { printf "%d %.12g %.12g\n", $7, $10, $12 }' \
    "$tmp/cmp3/sweep_compare.csv" > "$tmp/got"
same_numbers "$tmp/ref" "$tmp/got" && [ "$(cut -d' ' -f2 "$tmp/got")" != 0 ]
st=$?; check "paired difference of s.queue_mean, rate 0.5 - 0.1 ($(cat "$tmp/got") vs $(cat "$tmp/ref"))" $st
# mode does not change the model: every difference is exactly 0 (common random numbers).
[ "$(awk -F, 'NR > 1 && $10 != "" && $10 != 0' "$tmp/cmp/sweep_compare.csv" | wc -l)" -eq 0 ]
check "an unused param: every paired difference is 0" $?
"$dessa" sweep "$tmp/m.lua" -q -o "$tmp/cmp2" --compare users=1,3 2> "$tmp/err"
[ $? -eq 1 ] && grep -q "no pair of points differs only in users" "$tmp/err"
check "--compare with no pair says so" $?

# An unstable point is marked: rate 1.5 overloads the one-thread server (check: 150%), and the
# run sees its queue grow; rate 0.3 is clean.
"$dessa" sweep "$tmp/m.lua" -q -o "$tmp/unst" --param rate=0.3,1.5 --param mode=a --reps 2 2> /dev/null
awk -F, 'NR > 1 && $6 == "c.latency_mean" { print $2, $NF }' "$tmp/unst/sweep_summary.csv" > "$tmp/got"
grep -q '^0.3 $' "$tmp/got" && grep -q '^1.5 .*overloaded' "$tmp/got"
st=$?; check "sweep_summary marks the overloaded point: $(tr '\n' ';' < "$tmp/got")" $st

# --param replaces a dimension; a new one is added.
"$dessa" sweep "$tmp/m.lua" -q -o "$tmp/p" --param rate=0.2,0.4 --reps 1
[ "$(cut -d, -f2 "$tmp/p/sweep.csv" | sort -u | tr '\n' ' ')" = "0.2 0.4 rate " ]
check "--param rate=0.2,0.4 replaces the scenario's list" $?

# Interrupted, then resumed: the same files as a sweep that ran straight through.
cat > "$tmp/slow.lua" <<'LUA'
local rate = param("rate", 0.5)
local s = service "s" { workers = 1, endpoint "e" { work(exp(1)) } }
client "c" { target = s, arrivals = poisson(rate) }
run { duration = 2e5 }
sweep { rate = range(0.1, 0.8, 0.1), reps = 2 }
LUA
"$dessa" sweep "$tmp/slow.lua" -q -o "$tmp/whole" -j 1
"$dessa" sweep "$tmp/slow.lua" -q -o "$tmp/cut" -j 1 2> /dev/null &
pid=$!
for _ in $(seq 200); do [ -d "$tmp/cut/points/2" ] && break; sleep 0.05; done
kill -INT $pid
wait $pid
[ ! -e "$tmp/cut/sweep.csv" ] && [ -d "$tmp/cut/points/0" ] && [ ! -d "$tmp/cut/points/7" ]
check "an interrupted sweep keeps its finished points and writes no sweep.csv" $?
! (ls -a "$tmp/cut"; ls -a "$tmp/cut/points") | grep -q tmp
check "an interrupted sweep leaves no staging directory" $?
"$dessa" sweep "$tmp/slow.lua" -q -o "$tmp/cut" -j 2 --resume
check "--resume exits 0" $?
same_sweep "interrupted and resumed = straight through" "$tmp/whole" "$tmp/cut"

# Shards (job arrays): separate directories merged, or one shared directory; the same bytes.
"$dessa" sweep "$tmp/m.lua" -q -o "$tmp/s1" --shard 1/2 -j 2 &&
    "$dessa" sweep "$tmp/m.lua" -q -o "$tmp/s2" --shard 2/2 &&
    "$dessa" merge "$tmp/s1" "$tmp/s2" -o "$tmp/sm" -q
check "two shards and a merge exit 0" $?
[ "$(ls "$tmp/s1/points" | wc -l)" -eq 0 ] && [ "$(ls "$tmp/sm/points" | wc -l)" -eq 9 ]
check "the merge moves every point into its output" $?
"$dessa" sweep "$tmp/m.lua" -q -o "$tmp/sh" --shard 2/3 &&
    "$dessa" sweep "$tmp/m.lua" -q -o "$tmp/sh" --shard 1/3 &&
    "$dessa" sweep "$tmp/m.lua" -q -o "$tmp/sh" --shard 3/3 -j 2 && "$dessa" merge "$tmp/sh" -q
check "three shards in one directory, then merge" $?
same_sweep "shards merged = one sweep" "$tmp/a" "$tmp/sm" "$tmp/sh"
"$dessa" sweep "$tmp/m.lua" -q -o "$tmp/s3" --shard 1/2
"$dessa" merge "$tmp/s3" -o "$tmp/s3m" 2> "$tmp/err"
[ $? -eq 1 ] && grep -q "point 1 is in none of the directories" "$tmp/err"
check "merge with a shard missing says which point" $?
"$dessa" merge "$tmp/s3" "$tmp/p" 2> "$tmp/err"
[ $? -eq 1 ] && grep -q "holds another sweep" "$tmp/err"
check "merge of two different sweeps is refused" $?
"$dessa" sweep "$tmp/m.lua" -q -o "$tmp/s4" --shard 3/2 2> "$tmp/err"
[ $? -eq 2 ] && grep -q -- "--shard needs I/N" "$tmp/err"
check "--shard 3/2 is a usage error" $?

# Points with different entities (a param adds a service): sweep.csv's columns are the union,
# and the point without the entity has empty cells there. A sweep assembles its files while its
# last points run, from the first point's columns; here it must give that up and assemble from
# disk: the same bytes with -j 1, -j 2 and as shards merged, and no file of its own left over.
cat > "$tmp/grow.lua" <<'LUA'
local extra = param("extra", false)
local s = service "s" { workers = 1, work = exp(1) }
client "c" { target = s, arrivals = poisson(0.5) }
if extra then
    local x = service "x" { workers = 1, work = exp(0.5) }
    client "d" { target = x, arrivals = poisson(0.5) }
end
run { duration = 500 }
sweep { extra = { false, true, false }, reps = 2 }
LUA
"$dessa" sweep "$tmp/grow.lua" -q -o "$tmp/g1" -j 1 && "$dessa" sweep "$tmp/grow.lua" -q -o "$tmp/g2" -j 2 &&
    "$dessa" sweep "$tmp/grow.lua" -q -o "$tmp/gs" --shard 1/2 &&
    "$dessa" sweep "$tmp/grow.lua" -q -o "$tmp/gs" --shard 2/2 -j 2 && "$dessa" merge "$tmp/gs" -q
check "a sweep whose points differ in entities exits 0" $?
same_sweep "points with different entities: -j 1 = -j 2 = shards merged" "$tmp/g1" "$tmp/g2" "$tmp/gs"
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "d.sent") c = i; next }
         c && $1 == 1 && $c != "" { ok1++ } c && $1 != 1 && $c == "" { ok0++ }
         END { exit !(c && ok1 == 2 && ok0 == 4) }' "$tmp/g1/sweep.csv"
check "sweep.csv: the union of the columns, empty cells where a point has no such entity" $?
[ "$(ls -A "$tmp/g1" | tr '\n' ' ')" = "points sweep.csv sweep.json sweep_summary.csv " ] &&
    [ "$(ls -A "$tmp/g2" | tr '\n' ' ')" = "points sweep.csv sweep.json sweep_summary.csv " ]
check "no file of the assembly is left over" $?

# MPI: the ranks share the points; the same bytes. Only where dessa was built with MPI and
# mpirun is installed (CI installs OpenMPI; see .ci/run).
if "$dessa" --version | grep -q "with MPI" && command -v mpirun > /dev/null; then
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
    # OpenMPI's own allocations outlive MPI_Finalize: no leak report for them.
    mpi_env="env ASAN_OPTIONS=detect_leaks=0"
    $mpi_env mpirun -np 2 "$dessa" sweep "$tmp/m.lua" -q -o "$tmp/mpi" -j 1
    check "mpirun -np 2 dessa sweep exits 0" $?
    same_sweep "mpirun -np 2 = one sweep" "$tmp/a" "$tmp/mpi"
    $mpi_env mpirun -np 3 "$dessa" sweep "$tmp/m.lua" -q -o "$tmp/mpi3" --reps 1 -j 2
    cmp -s "$tmp/c1/sweep.csv" "$tmp/mpi3/sweep.csv"
    check "sweep.csv: mpirun -np 3 with -j 2 = one sweep" $?
    $mpi_env mpirun -np 2 "$dessa" sweep "$tmp/m.lua" -q -o "$tmp/mpi" 2> "$tmp/err"
    [ $? -ne 0 ] && grep -q "holds a sweep already" "$tmp/err"
    check "mpirun: an existing sweep is refused on every rank" $?
else
    echo "skipped: dessa was built without MPI or mpirun is missing (apt-get install libopenmpi-dev openmpi-bin)"
fi

# --precision: replications until the 95% half-width of every target is within R of its mean.
# Checked against the rule computed here from flows.csv, with the published Student t quantiles
# t(0.975, df) for df = 4..99: the run stops at the first n >= 5 that meets it.
T975="2.7764451052 2.5705818356 2.4469118511 2.3646242516 2.3060041352 2.2621571628 2.2281388520 2.2009851601 2.1788128297 2.1603686565 2.1447866879 2.1314495456 2.1199052992 2.1098155778 2.1009220402 2.0930240544 2.0859634473 2.0796138447 2.0738730679 2.0686576104 2.0638985616 2.0595385528 2.0555294386 2.0518305165 2.0484071418 2.0452296421 2.0422724563 2.0395134464 2.0369333435 2.0345152974 2.0322445093 2.0301079283 2.0280940010 2.0261924630 2.0243941639 2.0226909200 2.0210753903 2.0195409704 2.0180817028 2.0166921992 2.0153675744 2.0141033889 2.0128955989 2.0117405137 2.0106347576 2.0095752371 2.0085591121 2.0075837703 2.0066468051 2.0057459953 2.0048792882 2.0040447833 2.0032407188 2.0024654593 2.0017174841 2.0009953781 2.0002978220 1.9996235850 1.9989715170 1.9983405425 1.9977296543 1.9971379084 1.9965644190 1.9960083540 1.9954689314 1.9949454151 1.9944371118 1.9939433678 1.9934635667 1.9929971259 1.9925434952 1.9921021540 1.9916726096 1.9912543954 1.9908470688 1.9904502102 1.9900634213 1.9896863235 1.9893185571 1.9889597802 1.9886096670 1.9882679075 1.9879342062 1.9876082816 1.9872898648 1.9869786995 1.9866745407 1.9863771544 1.9860863170 1.9858018143 1.9855234419 1.9852510035 1.9849843115 1.9847231860 1.9844674545 1.9842169516"
"$dessa" run "$tmp/m.lua" -q -o "$tmp/prec" --set rate=0.5 --precision 0.03 -j 2 2> "$tmp/err"
check "--precision exits 0" $?
awk -F, -v t="$T975" 'BEGIN { split(t, q, " ") } NR > 1 { n++; x = $10; s += x; ss += x * x
    if (n >= 5 && stop == 0) { m = s / n; hw = q[n - 4] * sqrt((ss - n * m * m) / (n - 1)) / sqrt(n)
        if (hw <= 0.03 * m) stop = n } }
    END { print n, stop }' "$tmp/prec/flows.csv" > "$tmp/got"
read -r n stop < "$tmp/got"
[ "$n" -ge 5 ] && [ "$n" = "$stop" ] && grep -q "met after $n replications" "$tmp/err"
check "--precision 0.03 stops at the first n >= 5 within 3% (n = $n, rule: $stop)" $?
"$dessa" run "$tmp/m.lua" -q -o "$tmp/prec1" --set rate=0.5 --precision 0.03 -j 1 2> /dev/null
cmp -s "$tmp/prec/flows.csv" "$tmp/prec1/flows.csv"
check "--precision: the same replications with -j 1 and -j 2" $?
"$dessa" run "$tmp/slow.lua" -q -o "$tmp/prec2" --set rate=0.5 --precision 0.0001 --reps 6 2> "$tmp/err"
[ $? -eq 0 ] && [ "$(($(wc -l < "$tmp/prec2/flows.csv") - 1))" -eq 6 ] && grep -q "not met after the maximum of 6" "$tmp/err"
check "--precision not met: stops at --reps and says so" $?
"$dessa" run "$tmp/slow.lua" -q -o "$tmp/prec3" --precision 0.1 --target s.nope 2> "$tmp/err"
[ $? -eq 1 ] && grep -q "target s.nope: no such metric" "$tmp/err" && [ ! -e "$tmp/prec3" ]
check "--target of an unknown metric" $?
"$dessa" run "$tmp/slow.lua" -q -o "$tmp/prec4" --target c.latency_mean 2> "$tmp/err"
[ $? -eq 2 ] && grep -q "needs --precision" "$tmp/err"
check "--target without --precision is a usage error" $?

# --batches: batch means over one long run, against the time series (each row after the
# warm-up is a batch) and against M/M/1 theory (mean response 2 s at rho = 0.5).
"$dessa" run "$tmp/slow.lua" -o "$tmp/bat" --batches 20 > "$tmp/out"
check "--batches exits 0" $?
grep -q "batch means, replication 0: 20 batches" "$tmp/out"
check "--batches prints the batch means" $?
from=$(awk -F, 'NR > 1 && $3 == "c" { t[n++] = $2 } END { print t[n - 21] }' "$tmp/bat/timeseries.csv")
awk -F, -v from="$from" 'NR > 1 && $3 == "c" && $2 > from { x[n++] = $6 } END {
    for (i = 0; i < n; i++) s += x[i]; m = s / n
    for (i = 0; i < n; i++) d += (x[i] - m) ^ 2
    for (i = 0; i < n - 1; i++) c += (x[i] - m) * (x[i + 1] - m)
    printf "%d %.10g %.10g %.6f\n", n, m, 2.0930240544 * sqrt(d / (n - 1)) / sqrt(n), c / d }' \
    "$tmp/bat/timeseries.csv" > "$tmp/ref"
awk -F, '$3 == "flow" && $4 == "latency_mean" { printf "%d %.10g %.10g %.6f\n", $5, $6, $7, $8 }' \
    "$tmp/bat/batches.csv" > "$tmp/got"
cmp -s "$tmp/ref" "$tmp/got"
st=$?; check "batches.csv: 20 batch means, their t interval and lag-1 autocorrelation ($(cat "$tmp/got") vs $(cat "$tmp/ref"))" $st
read -r n m hw r1 < "$tmp/got"
awk -v m="$m" -v hw="$hw" 'BEGIN { exit !(m - 2 <= hw && 2 - m <= hw) }'
check "batch means of one M/M/1 run hold the exact 2 s ($m ± $hw)" $?
"$dessa" run "$tmp/slow.lua" -q -o "$tmp/bat2" --batches 1 2> "$tmp/err"
[ $? -eq 2 ] && grep -q -- "--batches needs a whole number from 2" "$tmp/err"
check "--batches 1 is a usage error" $?

# The job-array script of docs/sweeps.md, as written, for each of its 8 array tasks (what Slurm
# would do, with SLURM_ARRAY_TASK_ID set), on the docs' own pool.lua; then merged: the bytes of
# one sweep.
mkdir -p "$tmp/slurm/bin"
ln -s "$dessa" "$tmp/slurm/bin/dessa"
awk '/^```lua/ { inb = 1; next } /^```/ { if (inb && ok) exit; inb = 0; next }
     inb && /^-- example: pool_sweep/ { ok = 1 } inb && ok { print }' docs/sweeps.md > "$tmp/slurm/pool.lua"
awk '/^```sh/ { inb = 1; next } /^```/ { if (ok) exit; inb = 0; next }
     inb && /^#!\/bin\/bash/ { ok = 1 } inb && ok { print }' docs/sweeps.md > "$tmp/slurm/sweep.sbatch"
grep -q -- '--shard "$SLURM_ARRAY_TASK_ID/8"' "$tmp/slurm/sweep.sbatch" && grep -q '^sweep' "$tmp/slurm/pool.lua"
check "the docs' job-array script and pool.lua are found" $?
(cd "$tmp/slurm" && export PATH="$tmp/slurm/bin:$PATH" &&
    for t in 1 2 3 4 5 6 7 8; do SLURM_ARRAY_TASK_ID=$t bash sweep.sbatch || exit 1; done &&
    dessa merge out/pool-sweep -q && dessa sweep pool.lua -o whole -q -j 2)
check "the job-array script's 8 tasks and the merge run" $?
same_sweep "the docs' job array merged = one sweep" "$tmp/slurm/whole" "$tmp/slurm/out/pool-sweep"

# Errors: a message, a non-zero exit, nothing written.
err() {   # err DESCRIPTION EXPECTED-STATUS PATTERN ARGS...
    local what=$1 want=$2 pat=$3
    shift 3
    "$dessa" sweep "$@" > /dev/null 2> "$tmp/err"
    local st=$?
    [ "$st" -eq "$want" ] && grep -q -- "$pat" "$tmp/err"
    st=$?; check "$what (exit $st: $(head -1 "$tmp/err"))" $st
}
err "unknown --param" 1 "--param nope: the scenario has no param 'nope'" "$tmp/m.lua" -o "$tmp/e1" --param nope=1
err "--set on a swept param" 1 "--set rate fixes a swept parameter" "$tmp/m.lua" -o "$tmp/e2" --set rate=1
err "a value of the wrong type" 1 "--param rate: value 2: expected a number" "$tmp/m.lua" -o "$tmp/e3" --param rate=1,x
err "--param with no values" 2 "--param needs NAME=V1,V2" "$tmp/m.lua" --param rate=
"$dessa" run "$tmp/m.lua" -o "$tmp/e4" --param rate=1 2> "$tmp/err"
[ $? -eq 2 ] && grep -q -- "--param is an option of dessa sweep" "$tmp/err"
check "--param on run is a usage error" $?
err "an existing sweep without --resume" 1 "holds a sweep already" "$tmp/m.lua" -o "$tmp/a"
err "--resume of another sweep" 1 "holds another sweep" "$tmp/m.lua" -o "$tmp/a" --resume --reps 2
err "--resume with nothing there" 1 "holds no sweep to resume" "$tmp/m.lua" -o "$tmp/none" --resume
mkdir -p "$tmp/busy" && touch "$tmp/busy/x"
err "a directory with other files" 1 "holds other files" "$tmp/m.lua" -o "$tmp/busy"
printf 'run { duration = 10 }\n' > "$tmp/none.lua"
err "nothing to sweep" 1 "nothing to sweep" "$tmp/none.lua" -o "$tmp/e5"
printf 'local a = param("a", 1)\nlocal b = param("b", 1)\nrun { duration = 10 }\nsweep { zip { a = { 1, 2 }, b = { 1 } } }\n' > "$tmp/zip.lua"
err "zip lists of different lengths" 1 "zip.lua:4: zip: a has 2 values, b has 1" "$tmp/zip.lua" -o "$tmp/e6"
printf 'local a = param("a", 1)\nrun { duration = 10 }\nsweep { a = { 1, 2 }, where = function(p) return false end }\n' > "$tmp/where.lua"
err "a where that removes everything" 1 "where.lua:3: sweep: the where filter removes every point" "$tmp/where.lua" -o "$tmp/e7"
printf 'local a = param("a", 1)\nrun { duration = 10 }\nsweep { a = range(1, 0, 1) }\n' > "$tmp/range.lua"
err "a range that never ends" 1 "range.lua:3: range(1, 0, 1): the step never reaches the end" "$tmp/range.lua" -o "$tmp/e8"
printf 'local rep = param("rep", 1)\nrun { duration = 10 }\nsweep { rep = { 1, 2 } }\n' > "$tmp/rep.lua"
err "a param named like a column" 1 "rep.lua:1: param 'rep': the name is a column of sweep.csv" "$tmp/rep.lua" -o "$tmp/e9"
for d in e1 e2 e3 e4 e5 e6 e7 e8 e9 none; do [ ! -e "$tmp/$d" ] || echo "left: $d"; done | grep -q . && st=1 || st=0
check "failed sweeps leave no directory" $st

# range and geometric give the values a person would write.
printf 'local x = param("x", 1)\nrun { duration = 10 }\nsweep { x = range(0.1, 0.5, 0.1) }\n' > "$tmp/r.lua"
"$dessa" sweep "$tmp/r.lua" -q -o "$tmp/r" && [ "$(awk -F, 'NR > 1 { printf "%s ", $2 }' "$tmp/r/sweep.csv")" = "0.1 0.2 0.3 0.4 0.5 " ]
check "range(0.1, 0.5, 0.1) is 0.1 0.2 0.3 0.4 0.5" $?
printf 'local x = param("x", 1)\nrun { duration = 10 }\nsweep { x = geometric(1, 1000, 4) }\n' > "$tmp/g.lua"
"$dessa" sweep "$tmp/g.lua" -q -o "$tmp/g" && [ "$(awk -F, 'NR > 1 { printf "%s ", $2 }' "$tmp/g/sweep.csv")" = "1 10 100 1000 " ]
check "geometric(1, 1000, 4) is 1 10 100 1000" $?
# Progress: a line per finished point when stderr is not a terminal; --progress=always adds the
# sweep's progress line (points and replications done, a last line with the total time), and
# --progress=never or -q keep stderr empty.
printf 'local x = param("x", 1)\nrun { duration = 1000 }\nsweep { x = { 1, 2, 3 }, reps = 2 }\n' > "$tmp/p.lua"
"$dessa" sweep "$tmp/p.lua" -o "$tmp/p1" -j 2 > "$tmp/out" 2> "$tmp/err"
[ "$(grep -c '^point [0-9] (x=[0-9]) done, [1-3]/3$' "$tmp/err")" -eq 3 ] && ! grep -q '^points ' "$tmp/err"
st=$?; check "a line per finished point, no progress line, without a terminal: $(head -c 200 "$tmp/err")" $st
"$dessa" sweep "$tmp/p.lua" -o "$tmp/p2" -j 2 --progress=always > "$tmp/out" 2> "$tmp/err"
tail -1 "$tmp/err" | grep -Eq '^points 3/3 \| reps 6/6 \| [0-9.]+[kMG]? events/s \| done in [0-9]+ s$'
st=$?; check "--progress=always: the final line: $(tail -1 "$tmp/err")" $st
[ "$(grep -c '^point [0-9] (x=[0-9]) done' "$tmp/err")" -eq 3 ] && ! grep -q '^points' "$tmp/out"
check "--progress=always into a file keeps the lines per point; stdout has no progress" $?
"$dessa" sweep "$tmp/p.lua" -o "$tmp/p3" -j 2 -q --progress=always > /dev/null 2> "$tmp/err"
[ "$(wc -l < "$tmp/err")" -ge 1 ] && ! grep -qv '^points [0-9]/3 | reps [0-9]/6 | ' "$tmp/err"
st=$?; check "-q --progress=always: the progress line only: $(head -c 200 "$tmp/err")" $st
"$dessa" sweep "$tmp/p.lua" -o "$tmp/p4" -j 2 --progress=never > /dev/null 2> "$tmp/err"
[ ! -s "$tmp/err" ]; st=$?; check "--progress=never: nothing on stderr: $(head -c 100 "$tmp/err")" $st
cmp -s "$tmp/p1/sweep.csv" "$tmp/p2/sweep.csv" && cmp -s "$tmp/p1/sweep.csv" "$tmp/p4/sweep.csv"
check "the progress line changes no result" $?
# A failed point's replications still count: the line ends at every point done.
printf 'local x = param("x", 1)\nif x == 2 then error("no x = 2") end\nrun { duration = 1000 }\nsweep { x = { 1, 2, 3 }, reps = 2 }\n' > "$tmp/pf.lua"
"$dessa" sweep "$tmp/pf.lua" -o "$tmp/pf" -j 2 --progress=always > /dev/null 2> "$tmp/err"
[ $? -eq 1 ] && grep -q 'point 1 (x=2) failed' "$tmp/err" &&
    grep -Eq '^points 3/3 \| reps 4/4 \| .* \| done in ' "$tmp/err"
st=$?; check "a failed point: reported, and the line ends at 3/3: $(grep '^points' "$tmp/err" | tail -1)" $st
if command -v script >/dev/null; then
    # On a pseudo-terminal the line replaces the lines per point: rewritten in place (CR ...
    # erase to the end of the line), with an ETA, and erased before the table. Two points at
    # once (one replication each, -j 2): the views of two point threads add up.
    printf 'local r = param("r", 1)\nservice "s" { workers = 2, work = exp(1) }\nclient "c" { target = "s", arrivals = poisson(r) }\nlocal d = param("d", 1e5)\nrun { duration = d, sample = d / 50 }\nsweep { r = { 1, 1.1, 1.2, 1.3 } }\n' > "$tmp/slow.lua"
    # (a few seconds a point, whatever the build: the first line comes after half a second)
    d=$(lasting "$tmp/slow.lua" 3)
    script -qfec "'$dessa' sweep '$tmp/slow.lua' -o '$tmp/slow' -j 2 --set d=$d" /dev/null > "$tmp/tty" 2>&1
    check "sweep on a terminal" $?
    tr '\r' '\n' < "$tmp/tty" | grep -Eq '^points [0-4]/4 \| reps [0-4]/4 \| [0-9.]+[kMG]? events/s \| ETA '
    st=$?; check "progress line rewritten on the terminal: $(tr '\r' '\n' < "$tmp/tty" | grep -a points | head -2)" $st
    grep -Eq $'\r\e\\[K[^\r]*slow.lua: 4 points' "$tmp/tty"; check "line erased before the table" $?
    ! grep -aq 'done, [0-9]/4' "$tmp/tty"; check "no lines per point on the terminal" $?
    script -qfec "'$dessa' sweep '$tmp/slow.lua' -o '$tmp/slow2' -j 2 -q --set d=$d" /dev/null > "$tmp/tty" 2>&1
    [ ! -s "$tmp/tty" ]; st=$?; check "-q: nothing on the terminal: $(head -c 100 "$tmp/tty" | cat -v)" $st
else
    echo "SKIP sweep progress on a terminal: no script(1)"
fi
finish 62
