#!/usr/bin/env bash
# Times a sweep of many short jobs (bench/sweep_short.lua, 40 points x 5 replications) with -j 1
# and -j 2 in interleaved rounds, and two ceilings: the same sweep as two processes at once
# (--shard 1/2 and 2/2, -j 1 each: no thread shares anything), and one bare M/M/1 loop against
# two at once. Prints each round's wall, user and system seconds, then the medians, the spread
# (min-max) and the medians of the per-round speedups: wall(-j 1) / wall(-j 2), the same over
# the shards' wall, and twice one bare loop's wall over two loops' (2.00: two full cores).
# Usage: bench/sweep_speedup.sh ROUNDS [DESSA] [SCENARIO] [REPS]
# Example: bench/sweep_speedup.sh 11 build/dessa
set -euo pipefail
rounds=${1:-7}
root=$(cd "$(dirname "$0")/.." && pwd)
dessa=${2:-$root/build/dessa}
scenario=${3:-$root/bench/sweep_short.lua}
reps=${4:-5}
bare=$(dirname "$dessa")/bare_mm1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sweep_speedup.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
TIMEFORMAT='%R %U %S'
one() {   # name command...: appends "wall user sys" to $tmp/name
    local name=$1
    shift
    { time "$@" >/dev/null; } 2>>"$tmp/$name"
}
for r in $(seq "$rounds"); do
    for j in 1 2; do
        rm -rf "$tmp/out"
        one j$j "$dessa" sweep "$scenario" -q -j $j --reps "$reps" -o "$tmp/out"
    done
    rm -rf "$tmp/out"
    { time { "$dessa" sweep "$scenario" -q -j 1 --reps "$reps" -o "$tmp/out" --shard 1/2 &
             "$dessa" sweep "$scenario" -q -j 1 --reps "$reps" -o "$tmp/out" --shard 2/2 &
             wait; }; } 2>>"$tmp/shards"
    if [[ -x $bare ]]; then
        one bare1 "$bare" 6000000
        { time { "$bare" 6000000 >/dev/null & "$bare" 6000000 >/dev/null & wait; }; } 2>>"$tmp/bare2"
    fi
    printf 'round %2d  j1 %s  j2 %s  shards %s' "$r" "$(tail -1 "$tmp/j1")" "$(tail -1 "$tmp/j2")" \
        "$(tail -1 "$tmp/shards" | cut -d' ' -f1)"
    [[ -x $bare ]] && printf '  bare x1 %s  bare x2 %s' "$(tail -1 "$tmp/bare1" | cut -d' ' -f1)" \
        "$(tail -1 "$tmp/bare2" | cut -d' ' -f1)"
    printf '\n'
done
stats() {   # column of file: median min max
    awk -v c="$2" '{ print $c }' "$1" | sort -n |
        awk '{ a[NR] = $1 } END { printf "%.3f (%.3f-%.3f)", a[int((NR + 1) / 2)], a[1], a[NR] }'
}
for n in j1 j2 shards bare1 bare2; do
    [[ -f $tmp/$n ]] || continue
    printf '%-6s wall %s  user %s  sys %s\n' "$n" "$(stats "$tmp/$n" 1)" "$(stats "$tmp/$n" 2)" \
        "$(stats "$tmp/$n" 3)"
done
ratio() {   # median over rounds of k * wall(a) / wall(b)
    paste -d' ' "$tmp/$1" "$tmp/$2" | awk -v k="${3:-1}" '{ print k * $1 / $4 }' | sort -n |
        awk '{ a[NR] = $1 } END { printf "%.2f (%.2f-%.2f)", a[int((NR + 1) / 2)], a[1], a[NR] }'
}
echo "speedup -j 2 vs -j 1, per round: $(ratio j1 j2)"
echo "speedup of two shards at once vs -j 1: $(ratio j1 shards)"
[[ -f $tmp/bare2 ]] && echo "bare loop, 2 x one / two at once: $(ratio bare1 bare2 2)" || true
