#!/usr/bin/env bash
# Cross-build reproducibility: two builds of dessa (say Release and AddressSanitizer+UBSan) must
# write byte-identical CSV files for the same scenario and seed, with one thread and with two.
#   bash tests/ci/builds.sh BUILD_A BUILD_B [SCENARIO.lua ...]
# BUILD_A and BUILD_B are build directories holding a dessa program. Without scenarios, every
# scenarios/*.lua and tests/validation/*.lua is run, 3 replications each. Prints the differing
# files and ends with "N passed, M failed"; exit 0 when every comparison held.
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
pass=0 fail=0
for s in "${scenarios[@]}"; do
    name=$(printf %s "${s%.lua}" | tr / _)   # scenarios/mm1 and tests/validation/mm1 apart
    ok=1
    for run in "A $a 1" "A $a 2" "B $b 1" "B $b 2"; do
        read -r tag prog jobs <<<"$run"
        if ! "$prog" run "$s" -q --seed 11 --reps 3 -j "$jobs" -o "$tmp/$name-$tag$jobs" >/dev/null 2>"$tmp/err"; then
            echo "FAIL $name: build $tag with -j $jobs: $(head -1 "$tmp/err")"
            ok=0
        fi
    done
    [ "$ok" = 1 ] || { fail=$((fail + 1)); continue; }
    for f in flows services timeseries latency; do
        for other in A2 B1 B2; do
            if cmp -s "$tmp/$name-A1/$f.csv" "$tmp/$name-$other/$f.csv"; then
                pass=$((pass + 1))
            else
                echo "FAIL $name: $f.csv differs between build A with -j 1 and $other (build ${other:0:1}, -j ${other:1})"
                fail=$((fail + 1))
            fi
        done
    done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
