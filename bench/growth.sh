#!/usr/bin/env bash
# How the cost of a step grows with the pending events on this machine, the anchor for the closed
# ladder's growth: the bare hold loop (bench/bare_hold.c: a 4-ary heap, and records of 0, 64 and
# 408 bytes touched at every pop) beside dessa's calendar alone (bench/hold.c), at 10^3 to 10^6
# pending events, the programs alternating round by round. Prints every round and then, per
# program and size, the median CPU ns per step and its growth over 10^3.
# Usage: bench/growth.sh BUILD_DIR [ROUNDS] [STEPS]     (e.g. bench/growth.sh build 3 3000000)
set -euo pipefail
build=${1:-build}
rounds=${2:-3}
steps=${3:-3000000}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for r in $(seq "$rounds"); do
    for n in 1000 10000 100000 1000000; do
        for p in 0 64 408; do
            ns=$("$build/bare_hold" "$n" "$steps" "$p" | sed -n 's/.*ns_per_step=\([0-9.]*\).*/\1/p')
            echo "round $r bare_hold payload=$p n=$n $ns" | tee -a "$out"
        done
        ns=$("$build/hold" "$n" "$steps" exp | sed -n 's/.*ns_per_step=\([0-9.]*\).*/\1/p')
        echo "round $r hold(calendar) n=$n $ns" | tee -a "$out"
    done
done
echo "median ns per step (growth over 10^3):"
awk '{ k = $3; if ($4 ~ /^n=/) { k = k " " $4; n = $4; v = $5 } else { k = k " " $4 " " $5; n = $5; v = $6 }
       sub(/n=.*/, "", k); key = k; sz = substr(n, 3); vals[key, sz] = vals[key, sz] " " v; keys[key] = 1 }
     function median(s,   a, m, i, j, t) { m = split(s, a, " ");
       for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
       return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2 }
     END { for (k in keys) { line = k; base = median(vals[k, 1000])
             for (s = 1000; s <= 1000000; s *= 10) { md = median(vals[k, s]); line = line sprintf("  10^%d: %.0f (%.1fx)", log(s) / log(10) + 0.5, md, md / base) }
             print line } }' "$out" | sort
