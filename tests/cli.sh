#!/usr/bin/env bash
# The command line: exit statuses (0 success, 1 scenario error, 2 usage error), help and
# version, and where results go.
. "$2/tests/lib/common.sh" "$@"
expect() {   # expected-status description command...
    local want=$1 what=$2
    shift 2
    "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    local got=$?
    [ "$got" -eq "$want" ]; st=$?
    check "$what: exit $got, expected $want: $(head -2 "$tmp/stderr")" $st
}
expect 0 "--help" "$dessa" --help
grep -q "usage: dessa run" "$tmp/stdout"; check "--help text" $?
expect 0 "--version" "$dessa" --version
grep -Eq "^dessa [0-9]+\.[0-9]+\.[0-9]+$" "$tmp/stdout"; check "--version text" $?
expect 2 "no command" "$dessa"
expect 2 "unknown command" "$dessa" frobnicate scenarios/mm1.lua
expect 2 "unknown option" "$dessa" run scenarios/mm1.lua --frob
expect 2 "missing scenario" "$dessa" run
expect 2 "bad --reps" "$dessa" run scenarios/mm1.lua --reps 0
expect 2 "bad --seed" "$dessa" run scenarios/mm1.lua --seed -3
expect 2 "bad --set" "$dessa" run scenarios/mm1.lua --set rate
expect 2 "--set twice" "$dessa" run scenarios/mm1.lua --set rate=0.5 --set rate=0.6
grep -q "dessa: --set rate given twice" "$tmp/stderr"; check "--set twice message" $?
expect 2 "-j with a leading blank" "$dessa" run scenarios/mm1.lua -j ' 4'
expect 2 "--seed with a leading blank" "$dessa" run scenarios/mm1.lua --seed ' 5'
expect 2 "--reps with a sign" "$dessa" run scenarios/mm1.lua --reps +3
expect 2 "empty -o" "$dessa" run scenarios/mm1.lua -o ''
expect 1 "missing file" "$dessa" run "$tmp/nope.lua" -o "$tmp/nope"
grep -q "cannot read scenario" "$tmp/stderr"; check "missing-file message" $?
[ ! -e "$tmp/nope" ]; check "missing file left output" $?
expect 0 "check" "$dessa" check scenarios/mm1.lua
grep -q "scenarios/mm1.lua: ok" "$tmp/stdout"; check "check text" $?
expect 0 "run with -o and --set" "$dessa" run scenarios/mm1.lua -q -o "$tmp/r" --set rate=0.5 --seed 3
for f in flows.csv services.csv replicas.csv endpoints.csv timeseries.csv latency.csv run.json; do
    [ -s "$tmp/r/$f" ]; check "$f missing" $?
done
! ls -a "$tmp" "$tmp/r" | grep -q 'tmp-'; check "temporary files left" $?
grep -q '"rate": "0.5"' "$tmp/r/run.json"; check "run.json params" $?
grep -q '"seed": 3' "$tmp/r/run.json"; check "run.json seed" $?
[ ! -s "$tmp/stdout" ]; check "--quiet printed" $?
# The scenario's print output appears once, however many threads load their own copy.
{ echo 'print("hello from the scenario")'; cat scenarios/mm1.lua; } > "$tmp/hello.lua"
printed() { cat "$tmp/stdout" "$tmp/stderr" | grep -c "hello from the scenario"; }
expect 0 "run with print" "$dessa" run "$tmp/hello.lua" -q -o "$tmp/h" --reps 4 -j 1
[ "$(printed)" = 1 ]; check "scenario print output appears once with -j 1" $?
# With -j 4 each thread loads a quiet copy: needs the binding to honour dessa_load_opts.quiet.
if grep -q 'quiet' lua/binding.c; then
    expect 0 "run with print, 4 threads" "$dessa" run "$tmp/hello.lua" -q -o "$tmp/h" --reps 4 -j 4
    [ "$(printed)" = 1 ]; check "scenario print output appears once with -j 4" $?
else
    echo "SKIP print once with -j 4: the binding does not read dessa_load_opts.quiet yet"
fi
# The option forms people type: --name=value, a short option's value attached, help per command.
expect 0 "--opt=value and -j2" "$dessa" run scenarios/mm1.lua -q --out="$tmp/eq" -j2 --reps=2 \
    --set=rate=0.5 --seed=3
grep -q '"seed": 3' "$tmp/eq/run.json" && grep -q '"reps": 2' "$tmp/eq/run.json" &&
    grep -q '"jobs": 2' "$tmp/eq/run.json"
check "--opt=value and -j2 reach run.json" $?
expect 0 "-oDIR" "$dessa" run scenarios/mm1.lua -q -o"$tmp/oattached"
[ -s "$tmp/oattached/flows.csv" ]; check "-oDIR wrote there" $?
expect 0 "dessa run --help" "$dessa" run --help
grep -q "usage: dessa run" "$tmp/stdout"; check "dessa run --help text" $?
expect 0 "dessa help run" "$dessa" help run
expect 2 "dessa help of no command" "$dessa" help frob
expect 2 "a flag with a value" "$dessa" run scenarios/mm1.lua --quiet=1
# The summary table: a row per flow and service, mean and half-width across replications.
expect 0 "summary" "$dessa" run scenarios/mm1.lua -o "$tmp/t" --reps 3
grep -q "^arrivals .*±" "$tmp/stdout" && grep -q "^server .*±" "$tmp/stdout"
check "summary rows" $?
finish
