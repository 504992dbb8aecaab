#!/usr/bin/env bash
# Runs the M/M/1 benchmark (rho = 0.9) in dessa (bench/mm1.lua, all statistics on) and in the
# bare hand-written loop (bench/bare_mm1.c) side by side, alternating, and prints both speeds,
# their ratio and peak memory. Usage: bench/run.sh [BUILD_DIR] [CUSTOMERS] [ROUNDS]
set -euo pipefail
build=${1:-build}
customers=${2:-10000000}
rounds=${3:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
json() { sed -n "s/.*\"$1\": \([0-9.]*\).*/\1/p" "$tmp/out/run.json" | head -1; }
best_bare=0 best_dessa=0
for r in $(seq "$rounds"); do
    line=$("$build/bare_mm1" "$customers" 0.9)
    bare_s=$(sed 's/.*seconds=\([0-9.]*\).*/\1/' <<< "$line")
    bare_rss=$(sed 's/.*peak_rss_kb=\([0-9]*\).*/\1/' <<< "$line")
    "$build/dessa" run "$root/bench/mm1.lua" -q -o "$tmp/out" --set customers="$customers"
    dessa_s=$(json wall_seconds)
    dessa_ev=$(json events)
    dessa_rss=$(json peak_rss_kb)
    bare_cps=$(awk -v n="$customers" -v s="$bare_s" 'BEGIN { printf "%.0f", n / s }')
    dessa_cps=$(awk -v n="$customers" -v s="$dessa_s" 'BEGIN { printf "%.0f", n / s }')
    printf 'round %d: bare %.3f s (%.2f M customers/s, %d KiB)   dessa %.3f s (%.2f M customers/s, %.2f M events/s, %d KiB)   ratio %.2f\n' \
        "$r" "$bare_s" "$(awk -v x="$bare_cps" 'BEGIN { print x / 1e6 }')" "$bare_rss" \
        "$dessa_s" "$(awk -v x="$dessa_cps" 'BEGIN { print x / 1e6 }')" \
        "$(awk -v e="$dessa_ev" -v s="$dessa_s" 'BEGIN { print e / s / 1e6 }')" "$dessa_rss" \
        "$(awk -v a="$bare_s" -v b="$dessa_s" 'BEGIN { print a / b }')"
done
