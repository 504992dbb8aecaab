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
grep -Eq "^dessa [0-9]+\.[0-9]+\.[0-9]+( \(with MPI\))?$" "$tmp/stdout"; check "--version text" $?
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
# The load's wall-clock limit from the environment: a bad value refused before anything is
# written, a good one obeyed (an endless loop stops after it, not after the default 10 s).
DESSA_LOAD_SECONDS=abc expect 1 "bad DESSA_LOAD_SECONDS" "$dessa" run scenarios/mm1.lua -o "$tmp/ls"
grep -q "^dessa: DESSA_LOAD_SECONDS must be a number of seconds above 0 and at most 86400, got 'abc'$" \
    "$tmp/stderr" && [ ! -e "$tmp/ls" ]; check "bad DESSA_LOAD_SECONDS message, no output" $?
DESSA_LOAD_SECONDS=0 expect 1 "DESSA_LOAD_SECONDS=0" "$dessa" check scenarios/mm1.lua
printf 'while true do end\n' >"$tmp/spin.lua"
DESSA_LOAD_SECONDS=0.3 expect 1 "DESSA_LOAD_SECONDS=0.3" "$dessa" check "$tmp/spin.lua"
grep -q "spin.lua:1: scenario ran too long (more than 0.3 seconds; an endless loop?)" "$tmp/stderr"
check "DESSA_LOAD_SECONDS=0.3 message" $?
# --rows: a part of the summary table longer than N rows shows the N with the most requests not
# ok first, then the highest p99, and says how many it left to the CSV file; 0 shows every row.
cat >"$tmp/many.lua" <<'EOF2'
local fast = service "fast" { workers = 100, work = exp(0.01) }
local slow = service "slow" { workers = 10, work = 1 }
for i = 1, 34 do client("c" .. i) { target = fast, arrivals = poisson(i) } end
client "bad" { target = slow, arrivals = poisson(5), timeout = 0.1 }
run { duration = 20 }
EOF2
flow_rows() { awk '/^flow /{on=1; next} on && /^$/{exit} on && !/^\(/{n++} END{print n+0}' "$tmp/stdout"; }
expect 0 "--rows 5" "$dessa" run "$tmp/many.lua" -o "$tmp/many" --rows 5
[ "$(flow_rows)" = 5 ] && awk '/^flow /{getline; print $1; exit}' "$tmp/stdout" | grep -qx bad &&
    grep -q '^(5 of 35 flows shown: most requests not ok first, then highest latency p99, then most sent; all in flows.csv, or --rows 0)$' \
        "$tmp/stdout" && ! grep -q "services shown" "$tmp/stdout"
check "--rows 5: five flows, the one with timeouts first, the note under them" $?
expect 0 "--rows by default" "$dessa" run "$tmp/many.lua" -o "$tmp/many" -f
[ "$(flow_rows)" = 30 ] && grep -q '^(30 of 35 flows shown' "$tmp/stdout"
check "default: 30 flows and the note" $?
expect 0 "--rows 0" "$dessa" run "$tmp/many.lua" -o "$tmp/many" -f --rows=0
[ "$(flow_rows)" = 35 ] && ! grep -q 'shown:' "$tmp/stdout"
check "--rows 0: every flow, no note" $?
# Ties (publishing answers at once: no latency, no utilization) go to the most traffic; the
# broker that drops comes first among brokers.
cat >"$tmp/queues.lua" <<'EOF2'
local w = service "w" { workers = 50, work = exp(0.01) }
for i = 1, 35 do
  local q = queue("q" .. i) { capacity = i == 7 and 5 or nil }
  subscribe(q, w, { consumers = 1 })
  local p = service("p" .. i) { workers = 10, endpoint "e" { publish(q) } }
  client("c" .. i) { target = p, arrivals = poisson(i == 7 and 200 or 2) }
end
run { duration = 10 }
EOF2
first_of() { awk -v h="^$1 " '$0 ~ h {getline; print $1; exit}' "$tmp/stdout"; }
expect 0 "--rows 4, queues" "$dessa" run "$tmp/queues.lua" -o "$tmp/queues" --rows 4
[ "$(first_of flow)" = c7 ] && [ "$(first_of broker)" = q7 ] &&
    awk '/^service /{getline; getline; print $1; exit}' "$tmp/stdout" | grep -qx p7 &&
    grep -q '^(4 of 35 brokers shown: most messages dropped, lost, refused or dead-lettered first, then deepest, then most published; all in brokers.csv, or --rows 0)$' "$tmp/stdout"
check "--rows 4: the busiest flow, the dropping broker, then by traffic" $?
expect 2 "bad --rows" "$dessa" run "$tmp/many.lua" -o "$tmp/many" -f --rows -1
grep -q "dessa: --rows needs a whole number (0: every row), got '-1'" "$tmp/stderr"
check "bad --rows message" $?
expect 2 "--rows with check" "$dessa" check "$tmp/many.lua" --rows 3
expect 2 "--rows with sweep" "$dessa" sweep "$tmp/many.lua" --rows 3
expect 0 "check" "$dessa" check scenarios/mm1.lua
grep -q "scenarios/mm1.lua: ok" "$tmp/stdout"; check "check text" $?
expect 0 "run with -o and --set" "$dessa" run scenarios/mm1.lua -q -o "$tmp/r" --set rate=0.5 --seed 3
for f in flows.csv services.csv replicas.csv endpoints.csv timeseries.csv latency.csv run.json; do
    [ -s "$tmp/r/$f" ]; check "$f missing" $?
done
! ls -a "$tmp" "$tmp/r" | grep -q 'tmp-'; check "temporary files left" $?
grep -q '"params": { "rate": 0.5, ' "$tmp/r/run.json"; check "run.json params (typed)" $?
grep -q '"rate": { "type": "number", "default": 0.9, "set": true }' "$tmp/r/run.json"
check "run.json param_info: type, default, set" $?
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
grep -q "^  -f, --force" "$tmp/stdout"; check "dessa help run lists run's options" $?
expect 0 "dessa help check" "$dessa" help check
grep -q "^usage: dessa check" "$tmp/stdout" && ! grep -q -- "--reps" "$tmp/stdout"
check "dessa help check gives check's own options" $?
expect 0 "dessa check --help" "$dessa" check --help
grep -q "^usage: dessa check" "$tmp/stdout"; check "dessa check --help text" $?
expect 2 "check refuses an option of run" "$dessa" check scenarios/mm1.lua -o "$tmp/x"
grep -q "^dessa: -o is an option of run, not of check$" "$tmp/stderr"; check "check -o message" $?
expect 2 "an option before the command" "$dessa" --seed 3 run scenarios/mm1.lua
grep -q "options come after the command" "$tmp/stderr"; check "option before the command: hint" $?
# One prefix: 'dessa: ' for every message without a scenario line.
expect 1 "missing scenario, dessa: prefix" "$dessa" check "$tmp/none.lua"
grep -q "^dessa: cannot read scenario '$tmp/none.lua': No such file or directory$" "$tmp/stderr"
st=$?; check "missing scenario message: $(head -1 "$tmp/stderr")" $st
touch "$tmp/afile"
expect 1 "-o on a file, dessa: prefix" "$dessa" run scenarios/mm1.lua -q -o "$tmp/afile"
grep -q "^dessa: cannot write the results in '$tmp/afile': '$tmp/afile' exists and is not a directory$" "$tmp/stderr"
st=$?; check "-o on a file message: $(head -1 "$tmp/stderr")" $st
expect 1 "unknown --set name, dessa: prefix" "$dessa" run scenarios/mm1.lua -q -o "$tmp/x" --set rat=1
grep -q "^dessa: --set rat: the scenario has no param 'rat' (did you mean 'rate'?)$" "$tmp/stderr"
st=$?; check "--set name message: $(head -1 "$tmp/stderr")" $st
expect 2 "dessa help of no command" "$dessa" help frob
expect 2 "a flag with a value" "$dessa" run scenarios/mm1.lua --quiet=1
# The summary table: a row per flow and service, mean and half-width across replications.
expect 0 "summary" "$dessa" run scenarios/mm1.lua -o "$tmp/t" --reps 3
grep -q "^arrivals .*±" "$tmp/stdout" && grep -q "^server .*±" "$tmp/stdout"
check "summary rows" $?
# Units that suit the numbers: minutes of latency in s, a rare flow's throughput in 3 digits.
cat > "$tmp/slow.lua" <<'EOF'
service "s" { workers = "inf", work = exp(600) }
client "c" { target = "s", arrivals = poisson(0.004) }
run { duration = 400000 }
EOF
expect 0 "long latencies" "$dessa" run "$tmp/slow.lua" -o "$tmp/slow" --reps 2
grep -Eq -- '-+ latency s -+' "$tmp/stdout"
st=$?; check "latency in s: $(grep latency "$tmp/stdout")" $st
grep -Eq '^c +.* 0\.00[0-9]{3}±' "$tmp/stdout"
st=$?; check "throughput 0.004/s in 3 digits: $(grep '^c ' "$tmp/stdout")" $st
# Names are not cut: a topic's group row reads "broker/group" in full.
printf '%s\n' 'local a = service "a_rather_long_consumer" { work = exp(0.01) }' \
    'local t = topic "events_of_the_shop" { }' 'subscribe(t, a, { group = "analytics_pipeline" })' \
    'service "front" { endpoint "p" { publish(t) } }' \
    'client "c" { target = "front", arrivals = poisson(5) }' 'run { duration = 20 }' > "$tmp/names.lua"
expect 0 "long names" "$dessa" run "$tmp/names.lua" -o "$tmp/names"
grep -q '^events_of_the_shop/analytics_pipeline ' "$tmp/stdout" &&
    grep -q '^a_rather_long_consumer ' "$tmp/stdout"
st=$?; check "long names in full: $(grep -c events "$tmp/stdout")" $st
# A broker's optional columns: refusals appear when its outage refused some, not otherwise.
printf '%s\n' 'local w = service "w" { work = exp(0.01) }' 'local q = queue "jobs" { }' 'subscribe(q, w)' \
    'service "front" { endpoint "p" { publish(q) } }' \
    'client "c" { target = "front", arrivals = poisson(5) }' \
    'if param("down", 0) > 0 then outage { target = q, at = 10, duration = param("down", 0) } end' \
    'run { duration = 40 }' > "$tmp/bq.lua"
expect 0 "broker up" "$dessa" run "$tmp/bq.lua" -o "$tmp/bq"
! grep -q 'refused' "$tmp/stdout"
st=$?; check "no refused column without refusals" $st
expect 0 "broker down" "$dessa" run "$tmp/bq.lua" -o "$tmp/bq2" --set down=5
awk '$1 == "broker" { for (i = 1; i <= NF; i++) if ($i == "refused") c = i }
     $1 == "jobs" && c { print $(c); exit }' "$tmp/stdout" | grep -Eq '^[1-9][0-9]*$'
st=$?; check "refused column of a broker down 5 s: $(grep -E '^(broker|jobs) ' "$tmp/stdout" | tr -s ' ' | tr '\n' '/')" $st
# Parameters keep their types in run.json: numbers, booleans, strings; infinity as "inf".
cat > "$tmp/typed.lua" <<'EOF'
local rate = param("rate", 0.5)
local q = param("queue", 10)
local verbose = param("verbose", false)
local label = param("label", "base")
service "s" { work = exp(1), queue = q }
client "c" { target = "s", arrivals = poisson(rate) }
run { duration = 50 }
EOF
expect 0 "typed params" "$dessa" run "$tmp/typed.lua" -q -o "$tmp/typed" --set queue=unbounded \
    --set verbose=yes
python3 - "$tmp/typed/run.json" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
assert j["params"] == {"rate": 0.5, "queue": "inf", "verbose": True, "label": "base"}, j["params"]
i = j["param_info"]
assert i["rate"] == {"type": "number", "default": 0.5, "set": False}, i
assert i["queue"] == {"type": "number", "default": 10, "set": True}, i
assert i["verbose"] == {"type": "boolean", "default": False, "set": True}, i
assert i["label"] == {"type": "string", "default": "base", "set": False}, i
assert j["scenario_file"] == "typed.lua"
EOF
check "run.json typed params" $?

# Never silently replace a different run's results (docs/guide.md, "Where results go").
cp "$tmp/typed.lua" "$tmp/ow.lua"
( cd "$tmp" && "$dessa" run ow.lua -q --set rate=0.4 ) >/dev/null 2>&1
[ -s "$tmp/out/ow/run.json" ]; check "default directory out/ow written" $?
expect 2 "a different run into the default directory is refused" \
    bash -c "cd '$tmp' && '$dessa' run ow.lua -q --set rate=0.6"
grep -q "^dessa: 'out/ow' holds the results of a different run (rate = 0.4 there, 0.6 here); give -o DIR to keep both, or --force to replace them$" "$tmp/stderr"
st=$?; check "refusal names the difference: $(cat "$tmp/stderr")" $st
grep -q '"rate": 0.4' "$tmp/out/ow/run.json"; check "refused run left the results alone" $?
! ls -a "$tmp/out" | grep -q 'tmp-'; check "refused run left no staging directory" $?
expect 0 "the same run again replaces (more reps, another seed)" \
    bash -c "cd '$tmp' && '$dessa' run ow.lua -q --set rate=0.4 --reps 2 --seed 9"
grep -q '"reps": 2' "$tmp/out/ow/run.json"; check "same run replaced the results" $?
expect 0 "--set to the default value is the same run" \
    bash -c "cd '$tmp' && '$dessa' run ow.lua -q --set rate=0.4 --set queue=10"
expect 0 "--force replaces a different run" \
    bash -c "cd '$tmp' && '$dessa' run ow.lua -q --set rate=0.6 --force"
grep -q '"rate": 0.6' "$tmp/out/ow/run.json"; check "--force replaced the results" $?
expect 2 "explicit -o is guarded too" "$dessa" run "$tmp/ow.lua" -q -o "$tmp/out/ow"
expect 0 "-f is --force" "$dessa" run "$tmp/ow.lua" -q -o "$tmp/out/ow" -f
expect 0 "explicit -o to a fresh directory" "$dessa" run "$tmp/ow.lua" -q -o "$tmp/ow2" --set rate=0.7
cp "$tmp/typed.lua" "$tmp/other.lua"
expect 2 "another scenario into the same directory is refused" \
    "$dessa" run "$tmp/other.lua" -q -o "$tmp/ow2" --set rate=0.7
grep -q 'scenario "ow.lua" there, "other.lua" here' "$tmp/stderr"; check "names the scenarios" $?
mkdir -p "$tmp/bare" && echo "x" > "$tmp/bare/flows.csv"
expect 2 "results without run.json are refused" "$dessa" run "$tmp/ow.lua" -q -o "$tmp/bare"
mkdir -p "$tmp/notes" && echo "x" > "$tmp/notes/README"
expect 0 "a directory without results is fine" "$dessa" run "$tmp/ow.lua" -q -o "$tmp/notes"
[ -s "$tmp/notes/README" ]; check "a foreign file stays" $?

# The header comes before the run; the progress line goes to stderr, only when asked or on a
# terminal, and -q silences it.
expect 0 "no progress line when stderr is not a terminal" "$dessa" run scenarios/mm1.lua -q -o "$tmp/pg"
[ ! -s "$tmp/stderr" ]; check "stderr empty without a terminal" $?
expect 0 "--progress=always" "$dessa" run scenarios/mm1.lua -q -o "$tmp/pg" --reps 3 -j2 --progress=always
grep -Eq '^reps 3/3 \| t 100000/100000 s \| [0-9.]+[kMG]? events/s \| done in [0-9]+ s$' "$tmp/stderr"
st=$?; check "final progress line: $(tail -1 "$tmp/stderr")" $st
[ ! -s "$tmp/stdout" ]; check "progress never on stdout" $?
expect 2 "--progress=sometimes" "$dessa" run scenarios/mm1.lua -q -o "$tmp/pg" --progress=sometimes
expect 2 "sweep --progress=sometimes" "$dessa" sweep scenarios/thread_pool.lua -q -o "$tmp/pgs" --progress=sometimes
[ ! -e "$tmp/pgs" ]; check "a usage error runs no sweep" $?
if command -v script >/dev/null; then
    # A pseudo-terminal: the line is rewritten in place (CR ... erase) and erased at the end.
    cat > "$tmp/slow.lua" <<'EOF'
service "s" { workers = 2, work = exp(1) }
client "c" { target = "s", arrivals = poisson(1.5) }
local d = param("d", 1e5)
run { duration = d, sample = d / 100 }
EOF
    # (a few seconds a replication, whatever the build: the first line comes after half a second)
    d=$(lasting "$tmp/slow.lua" 4)
    script -qfec "'$dessa' run '$tmp/slow.lua' -o '$tmp/tty1' --reps 2 -j 2 --set d=$d" /dev/null > "$tmp/tty" 2>&1
    check "run on a terminal" $?
    head -c 300 "$tmp/tty" | grep -q "slow.lua: 2 replications, seed 1"; check "header printed first" $?
    tr '\r' '\n' < "$tmp/tty" | grep -Eq "^reps [0-9]/2 \| t [0-9]+/$d s \| .* \| ETA "
    st=$?; check "progress line rewritten on the terminal: $(tr '\r' '\n' < "$tmp/tty" | grep -a reps | head -2)" $st
    # (the table starts with its line of group headings, or with "flow" when it has none)
    grep -Eq $'\r\e\\[K( +[-/%a-z ]+\r?$|flow )' "$tmp/tty"; check "line erased before the table" $?
    script -qfec "'$dessa' run '$tmp/slow.lua' -o '$tmp/tty2' --reps 2 -j 2 -q --set d=$d" /dev/null > "$tmp/tty" 2>&1
    [ ! -s "$tmp/tty" ]; st=$?; check "-q: nothing on the terminal: $(head -c 100 "$tmp/tty" | cat -v)" $st
else
    echo "SKIP progress on a terminal: no script(1)"
fi
finish
