#!/usr/bin/env bash
# Runs the processor-sharing benchmark (bench/ps200.lua: 200 threads on 8 cores) and prints, per
# round, the CPU time of the whole program (user + system, so the figure holds on a loaded
# machine), the events it processed and the events per CPU second; then the median.
# Usage: bench/run_ps200.sh [BUILD_DIR] [REQUESTS] [ROUNDS]
set -euo pipefail
build=${1:-build}
requests=${2:-1000000}
rounds=${3:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rates=()
for r in $(seq "$rounds"); do
    TIMEFORMAT='%U %S'
    { time "$build/dessa" run "$root/bench/ps200.lua" -q -o "$tmp/out" --set requests="$requests" >/dev/null; } 2>"$tmp/time"
    cpu=$(awk '{ printf "%.3f", $1 + $2 }' "$tmp/time")
    events=$(sed -n 's/.*"events": \([0-9]*\).*/\1/p' "$tmp/out/run.json" | head -1)
    rate=$(awk -v e="$events" -v s="$cpu" 'BEGIN { printf "%.2f", e / s / 1e6 }')
    rates+=("$rate")
    printf 'round %d: %.3f s CPU, %d events, %s M events/s\n' "$r" "$cpu" "$events" "$rate"
done
printf 'median %s M events per CPU second over %d rounds\n' \
    "$(printf '%s\n' "${rates[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')" \
    "$rounds"
