#!/usr/bin/env bash
# Cross-build reproducibility: two builds of dessa (say Release and AddressSanitizer+UBSan) must
# write byte-identical CSV files for the same scenario and seed, with one thread and with two.
#   bash tests/ci/builds.sh BUILD_A BUILD_B [SCENARIO.lua ...]
# BUILD_A and BUILD_B are build directories holding a dessa program. Without scenarios, every
# scenarios/*.lua and tests/validation/*.lua is run, 3 replications each: on build A with -j 1
# and -j 2, on build B with -j 2 (its files against A's -j 1: the builds and the threads at
# once), two scenarios at a time (BUILDS_JOBS). Prints the differing files and ends with
# "N passed, M failed"; exit 0 when every comparison held.
set -u
[ $# -ge 2 ] || { echo "usage: bash tests/ci/builds.sh BUILD_A BUILD_B [SCENARIO.lua ...]" >&2; exit 2; }
a=$(cd "$1" && pwd)/dessa b=$(cd "$2" && pwd)/dessa
shift 2
cd "$(dirname "$0")/../.." || exit 1
for d in "$a" "$b"; do [ -x "$d" ] || { echo "no dessa program at $d" >&2; exit 2; }; done
scenarios=("$@")
[ ${#scenarios[@]} -gt 0 ] || scenarios=(scenarios/*.lua tests/validation/*.lua)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# one SCENARIO: runs it three times and writes $tmp/NAME.res: a line "pass" or "FAIL ..." per
# comparison.
one() {
    local s=$1 name ok=1 tag prog jobs f other
    name=$(printf %s "${s%.lua}" | tr / _)   # scenarios/mm1 and tests/validation/mm1 apart
    {
        for run in "A $a 1" "A $a 2" "B $b 2"; do
            read -r tag prog jobs <<<"$run"
            if ! "$prog" run "$s" -q --seed 11 --reps 3 -j "$jobs" -o "$tmp/$name-$tag$jobs" \
                    >/dev/null 2>"$tmp/$name.err"; then
                echo "FAIL $name: build $tag with -j $jobs: $(head -1 "$tmp/$name.err")"
                ok=0
            fi
        done
        if [ "$ok" = 1 ]; then
            for f in flows services timeseries latency; do
                for other in A2 B2; do
                    if cmp -s "$tmp/$name-A1/$f.csv" "$tmp/$name-$other/$f.csv"; then
                        echo pass
                    else
                        echo "FAIL $name: $f.csv differs between build A with -j 1 and $other" \
                             "(build ${other:0:1}, -j ${other:1})"
                    fi
                done
            done
        fi
    } >"$tmp/$name.res"
    rm -rf "$tmp/$name"-[AB][12]
}

jobs=${BUILDS_JOBS:-2}
running=0
for s in "${scenarios[@]}"; do
    one "$s" &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n
        running=$((running - 1))
    fi
done
wait
pass=0 fail=0
for s in "${scenarios[@]}"; do
    name=$(printf %s "${s%.lua}" | tr / _)
    res="$tmp/$name.res"
    [ -s "$res" ] || { echo "FAIL $name: no result"; fail=$((fail + 1)); continue; }
    grep -v '^pass$' "$res"
    pass=$((pass + $(grep -c '^pass$' "$res")))
    fail=$((fail + $(grep -c '^FAIL' "$res")))
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
