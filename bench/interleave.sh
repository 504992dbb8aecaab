#!/usr/bin/env bash
# Runs several builds of dessa (and the bare loop) on the M/M/1 benchmark in interleaved rounds,
# so that a machine whose speed drifts treats them alike, and prints each round's CPU seconds
# (user + system) and, at the end, each build's median and its median ratio to the first build
# named after the bare loop, taken per round.
# Usage: bench/interleave.sh ROUNDS CUSTOMERS NAME=DESSA[:SCENARIO] ...   (NAME=bare for bare_mm1)
# Example: bench/interleave.sh 21 3000000 bare=build/bare_mm1 old=/tmp/old/dessa:/tmp/old/bench/mm1.lua now=build/dessa
set -euo pipefail
rounds=$1 customers=$2
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
names=()
for r in $(seq "$rounds"); do
    line="round $r"
    for spec in "$@"; do
        name=${spec%%=*} rest=${spec#*=}
        bin=${rest%%:*} scenario=$root/bench/mm1.lua
        [[ $rest == *:* ]] && scenario=${rest#*:}
        rm -rf "$tmp/o"
        TIMEFORMAT='%U %S'
        if [[ $name == bare ]]; then
            { time "$bin" "$customers" 0.9 >/dev/null; } 2>"$tmp/t"
        else
            { time "$bin" run "$scenario" -q -o "$tmp/o" --set customers="$customers" >/dev/null; } 2>"$tmp/t"
        fi
        s=$(awk '{ printf "%.3f", $1 + $2 }' "$tmp/t")
        line="$line $name $s"
        echo "$s" >>"$tmp/$name"
        [[ $r == 1 ]] && names+=("$name")
    done
    echo "$line" | tee -a "$tmp/rounds"
done
median() { sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
base=
for n in "${names[@]}"; do
    [[ $n != bare && -z $base ]] && base=$n
done
for n in "${names[@]}"; do
    m=$(median <"$tmp/$n")
    if [[ -n $base && $n != bare && $n != "$base" ]]; then
        rel=$(awk -v a="$n" -v b="$base" '{ for (i = 3; i <= NF; i += 2) v[$i] = $(i + 1); print v[a] / v[b] }' \
            "$tmp/rounds" | median)
        printf '%-8s median %s s   against %s, per round: %s\n' "$n" "$m" "$base" "$rel"
    else
        printf '%-8s median %s s\n' "$n" "$m"
    fi
done
