#!/usr/bin/env bash
# Runs the M/M/1 benchmark (rho = 0.9) in dessa (bench/mm1.lua, all statistics on) and in the
# bare hand-written loop (bench/bare_mm1.c) side by side, alternating, and prints both speeds,
# their ratio and peak memory. Times are CPU seconds (user + system) of the whole program, so the
# ratio holds on a loaded machine. Usage: bench/run.sh [BUILD_DIR] [CUSTOMERS] [ROUNDS]
set -euo pipefail
build=${1:-build}
customers=${2:-10000000}
rounds=${3:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
ratios=()
for r in $(seq "$rounds"); do
    bare_s=$(cpu "$build/bare_mm1" "$customers" 0.9)
    bare_rss=$(sed 's/.*peak_rss_kb=\([0-9]*\).*/\1/' "$tmp/log")
    dessa_s=$(cpu "$build/dessa" run "$root/bench/mm1.lua" -q -o "$tmp/out" --set customers="$customers")
    dessa_ev=$(json events)
    dessa_rss=$(json peak_rss_kb)
    ratio=$(awk -v a="$bare_s" -v b="$dessa_s" 'BEGIN { printf "%.2f", a / b }')
    ratios+=("$ratio")
    printf 'round %d: bare %.3f s (%.2f M customers/s, %d KiB)   dessa %.3f s (%.2f M customers/s, %.2f M events/s, %d KiB)   ratio %s\n' \
        "$r" "$bare_s" "$(awk -v n="$customers" -v s="$bare_s" 'BEGIN { print n / s / 1e6 }')" \
        "$bare_rss" "$dessa_s" "$(awk -v n="$customers" -v s="$dessa_s" 'BEGIN { print n / s / 1e6 }')" \
        "$(awk -v e="$dessa_ev" -v s="$dessa_s" 'BEGIN { print e / s / 1e6 }')" "$dessa_rss" "$ratio"
done
printf 'median ratio %s over %d rounds (bare CPU time / dessa CPU time)\n' \
    "$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')" \
    "$rounds"
