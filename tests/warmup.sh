#!/usr/bin/env bash
# dessa warmup: the mean across replications, Welch's moving average and the MSER-5 cut-off,
# each recomputed here from timeseries.csv; and its errors.
. "$2/tests/lib/common.sh" "$@"

cat > "$tmp/wu.lua" <<'LUA'
local s = service "s" { workers = 1, endpoint "e" { work(exp(1)) } }
client "c" { target = s, arrivals = poisson(0.9) }
run { duration = 3000, sample = 10 }
LUA
"$dessa" run "$tmp/wu.lua" -q --reps 10 -j 2 -o "$tmp/r"
"$dessa" warmup "$tmp/r" > "$tmp/out"
check "warmup exits 0" $?
grep -q "c.latency_mean over 10 replications, 300 samples of 10 s: suggested warm-up" "$tmp/out"
st=$?; check "warmup says what it measured ($(head -1 "$tmp/out"))" $st

# The mean across replications at each time, from timeseries.csv (k-th row of c per rep).
awk -F, 'NR > 1 && $3 == "c" { if ($1 != r) { r = $1; k = 0 } k++; t[k] = $2
    if ($6 != "") { s[k] += $6; n[k]++ } if (k > m) m = k }
    END { for (i = 1; i <= m; i++) printf "%s %.10g %d\n", t[i], s[i] / n[i], n[i] }' \
    "$tmp/r/timeseries.csv" > "$tmp/ref"
awk -F, 'NR > 1 { printf "%s %.10g %d\n", $1, $2, $3 }' "$tmp/r/warmup.csv" > "$tmp/got"
cmp -s "$tmp/ref" "$tmp/got"
check "warmup.csv: the mean across replications at each sample time" $?

# Welch's moving average, window 15 (300 / 20) each side, shrinking near the start.
awk -F, 'NR > 1 { y[n++] = $2; ma[n - 1] = $4 } END {
    w = 15; bad = 0
    for (i = 0; i < n; i++) { h = i < w ? i : w; if (i + h >= n) { if (ma[i] != "") bad++; continue }
        s = 0; for (j = i - h; j <= i + h; j++) s += y[j]; v = s / (2 * h + 1)
        if ((v - ma[i]) ^ 2 > 1e-18 * v * v) bad++ }
    exit bad }' "$tmp/r/warmup.csv"
check "warmup.csv: Welch's moving average" $?

# MSER-5: batches of 5 samples; the truncation d <= m/2 minimising SS(d) / (m - d)^2.
want=$(awk -F, 'NR > 1 { y[n++] = $2 } END {
    m = int(n / 5); for (b = 0; b < m; b++) { s = 0; for (i = 0; i < 5; i++) s += y[5 * b + i]; z[b] = s / 5 }
    best = -1; for (d = 0; d <= int(m / 2); d++) { s = 0; for (b = d; b < m; b++) s += z[b]; mu = s / (m - d)
        ss = 0; for (b = d; b < m; b++) ss += (z[b] - mu) ^ 2; v = ss / ((m - d) ^ 2)
        if (best < 0 || v < bv) { bv = v; best = d } }
    print best * 5 }' "$tmp/r/warmup.csv")
cut=$(awk -F, -v c="$want" 'NR == c + 1 { print $1 } END { if (c == 0) print 0 }' "$tmp/r/warmup.csv" | head -1)
got=$("$dessa" warmup "$tmp/r" -q)
[ "$got" = "$cut" ] && [ "$want" -gt 0 ]
check "MSER-5 cut-off: $got s (recomputed: $cut s after $want samples)" $?

# Another metric, and its cut-off within the run's first half.
got=$("$dessa" warmup "$tmp/r" -q --metric s.queue --window 5)
awk -v g="$got" 'BEGIN { exit !(g >= 0 && g <= 1500) }'
check "--metric s.queue --window 5: $got s" $?

# Errors.
err() {   # err DESCRIPTION STATUS PATTERN ARGS...
    local what=$1 want=$2 pat=$3
    shift 3
    "$dessa" warmup "$@" > /dev/null 2> "$tmp/err"
    local st=$?
    [ "$st" -eq "$want" ] && grep -q -- "$pat" "$tmp/err"
    st=$?; check "$what (exit $st: $(head -1 "$tmp/err"))" $st
}
err "no directory" 2 "warmup needs a results directory"
err "no time series" 1 "cannot read" "$tmp/none"
err "an unknown column" 1 "has no column 'nope'" "$tmp/r" --metric c.nope
err "an unknown entity" 1 "has no rows for x" "$tmp/r" --metric x.queue
err "a bad window" 2 "--window needs a whole number" "$tmp/r" --window 0
finish 10
