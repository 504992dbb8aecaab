#!/usr/bin/env bash
# The time series' cost: the same one-hour M/M/1 (bench/timeseries.lua, 360 000 requests)
# sampled every millisecond (7.2 million rows) and at its default (100 samples), alternately;
# prints the CPU seconds (user + system) of both, their ratio, the CPU per row and both peak
# resident sizes (streamed rows: the memory must not grow with them).
# Usage: bench/timeseries.sh [BUILD_DIR] [ROUNDS]
set -euo pipefail
build=${1:-build}
rounds=${2:-3}
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
for r in $(seq "$rounds"); do
    base=$(cpu "$build/dessa" run "$root/bench/timeseries.lua" -q -o "$tmp/out" --force)
    base_rss=$(json peak_rss_kb)
    dense=$(cpu "$build/dessa" run "$root/bench/timeseries.lua" -q -o "$tmp/out" --force --set sample=0.001)
    dense_rss=$(json peak_rss_kb)
    rows=$(($(wc -l < "$tmp/out/timeseries.csv") - 1))
    printf 'round %d: default sample %.3f s (%d KiB)   sample 0.001: %.3f s (%d KiB, %d rows, %.0f ns a row beyond the default)   ratio %.1f\n' \
        "$r" "$base" "$base_rss" "$dense" "$dense_rss" "$rows" \
        "$(awk -v a="$dense" -v b="$base" -v n="$rows" 'BEGIN { print (a - b) / n * 1e9 }')" \
        "$(awk -v a="$dense" -v b="$base" 'BEGIN { print a / b }')"
done
