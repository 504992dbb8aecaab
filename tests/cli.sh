#!/usr/bin/env bash
# The command line: exit statuses (0 success, 1 scenario error, 2 usage error), help and
# version, and where results go.
set -u
dessa=$1 root=$2
cd "$root" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0
expect() {   # expected-status description command...
    local want=$1 what=$2
    shift 2
    "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    local got=$?
    if [ "$got" -eq "$want" ]; then pass=$((pass + 1)); else
        echo "FAIL $what: exit $got, expected $want: $(head -2 "$tmp/stderr")"
        fail=$((fail + 1))
    fi
}
expect 0 "--help" "$dessa" --help
grep -q "usage: dessa run" "$tmp/stdout" || { echo "FAIL --help text"; fail=$((fail + 1)); }
expect 0 "--version" "$dessa" --version
grep -Eq "^dessa [0-9]+\.[0-9]+\.[0-9]+$" "$tmp/stdout" || { echo "FAIL --version text"; fail=$((fail + 1)); }
expect 2 "no command" "$dessa"
expect 2 "unknown command" "$dessa" frobnicate scenarios/mm1.lua
expect 2 "unknown option" "$dessa" run scenarios/mm1.lua --frob
expect 2 "missing scenario" "$dessa" run
expect 2 "bad --reps" "$dessa" run scenarios/mm1.lua --reps 0
expect 2 "bad --seed" "$dessa" run scenarios/mm1.lua --seed -3
expect 2 "bad --set" "$dessa" run scenarios/mm1.lua --set rate
expect 1 "missing file" "$dessa" run "$tmp/nope.lua" -o "$tmp/nope"
grep -q "cannot read scenario" "$tmp/stderr" || { echo "FAIL missing-file message"; fail=$((fail + 1)); }
[ ! -e "$tmp/nope" ] || { echo "FAIL missing file left output"; fail=$((fail + 1)); }
expect 0 "check" "$dessa" check scenarios/mm1.lua
grep -q "scenarios/mm1.lua: ok" "$tmp/stdout" || { echo "FAIL check text"; fail=$((fail + 1)); }
expect 0 "run with -o and --set" "$dessa" run scenarios/mm1.lua -q -o "$tmp/r" --set rate=0.5 --seed 3
for f in flows.csv services.csv timeseries.csv latency.csv run.json; do
    [ -s "$tmp/r/$f" ] || { echo "FAIL $f missing"; fail=$((fail + 1)); }
done
ls "$tmp/r" | grep -q tmp && { echo "FAIL temporary files left"; fail=$((fail + 1)); }
grep -q '"rate": "0.5"' "$tmp/r/run.json" || { echo "FAIL run.json params"; fail=$((fail + 1)); }
grep -q '"seed": 3' "$tmp/r/run.json" || { echo "FAIL run.json seed"; fail=$((fail + 1)); }
[ ! -s "$tmp/stdout" ] || { echo "FAIL --quiet printed"; fail=$((fail + 1)); }
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
