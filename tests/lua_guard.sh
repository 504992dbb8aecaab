#!/usr/bin/env bash
# The Lua boundary's guards: runaway scenarios stop within a few seconds with a located message
# and exit 1 (each case runs under `timeout 30`), memory and file limits, the data-file
# confinement, seeding of math.random, deterministic pairs, warnings. Each case prints its
# elapsed time, so a slow guard is visible in the log.
. "$2/tests/lib/common.sh" "$@"

MODEL='service "web" { work = exp(0.01) }
client "c" { target = "web", arrivals = poisson(1) }
run { duration = 10 }'

# scenario NAME BODY...: writes $tmp/NAME.lua from the lines given.
scenario() {
    local name=$1
    shift
    printf '%s\n' "$@" > "$tmp/$name.lua"
}

# stops NAME EXPECTED_FIRST_LINE MAX_SECONDS: `dessa check` must exit 1 within MAX_SECONDS
# with exactly that first line on stderr.
stops() {
    local name=$1 want=$2 max=$3 t0 t1 got rc
    t0=$(date +%s.%N)
    got=$(timeout 30 "$dessa" check "$tmp/$name.lua" 2>&1 >/dev/null)
    rc=$?
    t1=$(date +%s.%N)
    local secs
    secs=$(echo "$t1 - $t0" | bc)
    printf '  %-22s %5.2f s  exit %d\n' "$name" "$secs" "$rc"
    local first=${got%%$'\n'*}
    if [ "$rc" -ne 1 ] || [ "$first" != "$want" ] || [ "$(echo "$secs > $max" | bc)" = 1 ]; then
        echo "FAIL $name (exit $rc, ${secs}s, limit ${max}s)"
        echo "  expected: $want"
        echo "  got:      $first"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
}

T="$tmp"
LONG='scenario ran too long (more than 200 million Lua instructions; an endless loop?)'

echo "runaway scenarios:"
scenario loop 'while true do end'
stops loop "$T/loop.lua:1: $LONG" 8
scenario pcall_loop 'while true do pcall(function() while true do end end) end'
stops pcall_loop "$T/pcall_loop.lua:1: $LONG" 8
scenario xpcall_loop 'local function h() while true do end end' \
    'while true do xpcall(function() while true do end end, h) end'
stops xpcall_loop "$T/xpcall_loop.lua:2: $LONG" 8
scenario sort_loop 'local t = {}' 'for i = 1, 100 do t[i] = i end' \
    'table.sort(t, function(a, b) while true do end end)'
stops sort_loop "$T/sort_loop.lua:3: $LONG" 8
# A loop of slow C calls (each bounded) does few instructions: the clock, checked at every
# call, stops it at 10 s, or at the DESSA_LOAD_SECONDS given (3 here: the same guard, 7 s sooner).
scenario slow_c_calls 'local t = {}' 'for i = 1, 2e6 do t[i] = i end' \
    'while true do table.insert(t, 1, 0) end'
DESSA_LOAD_SECONDS=3 stops slow_c_calls \
    "$T/slow_c_calls.lua:3: scenario ran too long (more than 3 seconds; an endless loop?)" 8
# The guard's hook is set by a timer on the loading thread's CPU clock: the loads of a sweep's
# two threads each have their own (a timer signalling the wrong thread would leave a loop
# running until `timeout` kills the sweep). Under a loaded machine the wall clock may stop them
# first, so either limit's message is accepted.
scenario sweep_loop 'local x = param("x", 0)' 'if x >= 2 then while true do end end' \
    'sweep { x = { 1, 2, 3 } }' "$MODEL"
t0=$(date +%s)
got=$(timeout 60 "$dessa" sweep "$T/sweep_loop.lua" -q -o "$T/sweep_loop" -j 2 2>&1 >/dev/null)
rc=$?
printf '  %-22s %5d s  exit %d\n' sweep_loop $(($(date +%s) - t0)) "$rc"
n=$(printf '%s\n' "$got" | grep -c "^$T/sweep_loop.lua:2: scenario ran too long (more than ")
check "a sweep's two threads each stop their endless loop (exit $rc, $n of 2 stopped)" \
    $([ "$rc" = 1 ] && [ "$n" = 2 ]; echo $?)
scenario pattern 'string.find(string.rep("a", 3000), ".-.-.-.-.-b")'
stops pattern "$T/pattern.lua:1: string.find: this pattern on a 3000-character subject could take too long (worst case above 1e+09 steps); use a simpler pattern, a shorter string or plain find" 3
scenario pattern_method 'local s = string.rep("a", 3000)' 'for w in s:gmatch("(.-)(.-)(.-)b") do end'
stops pattern_method "$T/pattern_method.lua:2: string.gmatch: this pattern on a 3000-character subject could take too long (worst case above 1e+09 steps); use a simpler pattern, a shorter string or plain find" 3
scenario rep_huge 'local s = string.rep("x", 1e12)'
stops rep_huge "$T/rep_huge.lua:1: string.rep: the result would be too large (at most 268435456 bytes here)" 3
scenario rep_empty 'local s = string.rep("", 1e15)'
stops rep_empty "$T/rep_empty.lua:1: string.rep: the result would be too large (at most 268435456 bytes here)" 3
scenario move_huge 'table.move({}, 1, 1e15, 1)'
stops move_huge "$T/move_huge.lua:1: table.move: too many elements (at most 16777216 here)" 3
scenario load_huge 'local f = load(string.rep("x = 1 ", 5e6))'
stops load_huge "$T/load_huge.lua:1: load: the chunk is too large (at most 16777216 bytes here)" 3
scenario huge_name 'service(string.rep("w", 1000000)) { work = 1 }'
stops huge_name "$T/huge_name.lua:1: service: the name must be a non-empty string of at most 200 letters, digits, \"_\", \".\" and \"-\", got \"wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww...\"" 3
scenario huge_global 'local x = _G[string.rep("w", 1000000)]'
stops huge_global "$T/huge_global.lua:1: unknown name 'wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww...'" 3
scenario huge_field 'service "web" { [string.rep("w", 1000000)] = 1, work = 1 }'
stops huge_field "$T/huge_field.lua:1: service \"web\": unknown field 'wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww...'" 3
scenario memory 'local a = string.rep("x", 2^20)' 'for i = 1, 7 do a = a .. a end' \
    'local b = a .. a .. a .. a .. a .. a .. a .. a .. a .. a .. a .. a .. a .. a .. a .. a .. a'
stops memory "$T/memory.lua:3: out of memory (the scenario may use at most 2 GiB)" 8
# Shared steps and parts expand exponentially: the size is counted, never expanded.
scenario dag_parallel 'local s = work(0.001)' 'for i = 1, 40 do s = parallel { s, s } end' \
    'service "web" { endpoint "e" { s } }'
stops dag_parallel "$T/dag_parallel.lua:2: parallel: too large once expanded (1048575 steps and distributions, at most 1000000 per endpoint; a step or list used several times counts once per use)" 3
scenario dag_mixture 'local d = exp(0.01)' 'for i = 1, 60 do d = mixture { { 1, d }, { 1, d } } end'
stops dag_mixture "$T/dag_mixture.lua:2: mixture: too large once expanded (1048575 distributions, at most 1000000; a distribution used as a part several times counts once per use)" 3
# Many endpoints each under the cap add up: the whole model is capped too.
scenario dag_model 'local s = work(0.001)' 'for i = 1, 17 do s = parallel { s, s } end' \
    'for i = 1, 40 do service("s" .. i) { endpoint "e" { s, s, s } } end' \
    'client "c" { target = "s1", arrivals = poisson(1) }' 'run { duration = 10 }'
stops dag_model "$T/dag_model.lua:3: endpoint \"e\": the model is too large once expanded (more than 10000000 steps and distributions in all)" 5
scenario huge_name_1e5 'service(string.rep("w", 100000)) { work = 1 }'
stops huge_name_1e5 "$T/huge_name_1e5.lua:1: service: the name must be a non-empty string of at most 200 letters, digits, \"_\", \".\" and \"-\", got \"wwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwwww...\"" 3
# A refused allocation caught by pcall does not turn a later, different error into one.
scenario memory_caught 'local a = string.rep("x", 2^20)' 'for i = 1, 7 do a = a .. a end' \
    'pcall(function() return a .. a .. a .. a .. a .. a .. a .. a .. a .. a .. a .. a .. a .. a .. a .. a .. a end)' \
    'error("later")'
stops memory_caught "$T/memory_caught.lua:4: later" 8

# A finalizer never runs (setmetatable strips __gc): the model loads at once.
scenario gc_loop 'setmetatable({}, { __gc = function() while true do end end })' \
    'for i = 1, 1e5 do local t = setmetatable({}, { __gc = function() while true do end end }) end' \
    "$MODEL"
t0=$(date +%s)
timeout 30 "$dessa" check "$T/gc_loop.lua" >/dev/null 2>&1
rc=$?
printf '  %-22s %5d s  exit %d\n' gc_loop $(($(date +%s) - t0)) "$rc"
check "finalizers do not run (gc_loop exit $rc)" $((rc != 0 || $(date +%s) - t0 > 5))

echo "files:"
got=$(timeout 10 "$dessa" check /dev/zero 2>&1)
check "dessa check /dev/zero: $got" $([ "$got" = "dessa: cannot read scenario '/dev/zero': not a regular file" ]; echo $?)
mkfifo "$T/fifo.lua"
got=$(timeout 10 "$dessa" check "$T/fifo.lua" 2>&1)
check "dessa check FIFO: $got" $([ "$got" = "dessa: cannot read scenario '$T/fifo.lua': not a regular file" ]; echo $?)
mkdir -p "$T/d/sub"
mkfifo "$T/d/pipe.csv"
ln -s /dev/zero "$T/d/zero.csv"
ln -s /etc/passwd "$T/d/passwd.csv"
printf '\xef\xbb\xbf1\n2\n' > "$T/d/bom.csv"
printf '1\n0x10\n' > "$T/d/hex.csv"
for case in 'pipe.csv|not a regular file' 'zero.csv|outside' 'passwd.csv|outside' 'sub|Is a directory'; do
    file=${case%%|*} want=${case#*|}
    scenario_file="$T/d/emp_${file%.csv}.lua"
    printf 'local d = empirical { file = "%s" }\n%s\n' "$file" "$MODEL" > "$scenario_file"
    got=$(timeout 10 "$dessa" check "$scenario_file" 2>&1)
    case $got in *"$want"*) r=0 ;; *) r=1 ;; esac
    check "data file $file: $got" $r
done
printf 'local d = empirical { file = "bom.csv" }\nassert(#d.values == 2, "BOM: " .. #d.values)\n%s\n' "$MODEL" > "$T/d/bom.lua"
timeout 10 "$dessa" check "$T/d/bom.lua" >/dev/null 2>&1
check "a byte-order mark is skipped in CSV files" $?
printf 'local d = empirical { file = "hex.csv" }\n%s\n' "$MODEL" > "$T/d/hex.lua"
got=$(timeout 10 "$dessa" check "$T/d/hex.lua" 2>&1)
check "hexadecimal refused in CSV cells: $got" $([ "$got" = "$T/d/hex.lua:1: empirical: 'hex.csv' line 2, column 1: not a non-negative number" ]; echo $?)
printf 'local d = empirical { file = "passwd.csv" }\n%s\n' "$MODEL" > "$T/d/unsafe.lua"
timeout 10 "$dessa" check "$T/d/unsafe.lua" --unsafe 2>&1 | grep -q "root" 
check "--unsafe data file errors still quote no content" $((1 - $?))

echo "numbers at the edges:"
scenario maxqueue 'service "web" { queue = math.maxinteger, work = exp(0.01) }' \
    'client "c" { target = "web", arrivals = poisson(1) }' 'run { duration = 10 }'
timeout 10 "$dessa" check "$T/maxqueue.lua" >/dev/null 2>&1
check "queue = math.maxinteger is accepted" $?

scenario replicas 'service "web" { replicas = 4294967295, work = exp(0.01) }' \
    'client "c" { target = "web", arrivals = poisson(1) }' 'run { duration = 10 }'
got=$(ASAN_OPTIONS=allocator_may_return_null=1 timeout 10 "$dessa" check "$T/replicas.lua" 2>&1)
check "replicas = 4294967295 is out of memory, located: $got" $([ "$got" = "$T/replicas.lua:1: service 'web': out of memory (4294967295 replicas)" ]; echo $?)

echo "messages:"
scenario user_error 'local x = nil' 'error("boom")'
got=$("$dessa" check "$T/user_error.lua" 2>&1)
check "a scenario's own error is one line, no traceback: $got" $([ "$got" = "$T/user_error.lua:2: boom" ]; echo $?)
scenario runtime_error 'local x = nil' 'local y = x.field'
got=$("$dessa" check "$T/runtime_error.lua" 2>&1)
check "a runtime error in the scenario is one line: $got" $([ "$got" = "$T/runtime_error.lua:2: attempt to index a nil value (local 'x')" ]; echo $?)

# A UTF-8 byte-order mark is skipped at the very start of the scenario, nowhere else.
printf '\xef\xbb\xbf%s\n' "$MODEL" > "$T/bom_start.lua"
got=$(timeout 10 "$dessa" check "$T/bom_start.lua" 2>&1 | head -1)   # then the model summary
check "a byte-order mark at the start is skipped: $got" $([ "$got" = "$T/bom_start.lua: ok" ]; echo $?)
printf 'local x = 1\n\xef\xbb\xbf%s\n' "$MODEL" > "$T/bom_later.lua"
got=$(timeout 10 "$dessa" check "$T/bom_later.lua" 2>&1)
case $got in "$T/bom_later.lua:2: "*) r=0 ;; *) r=1 ;; esac
check "a byte-order mark elsewhere is a syntax error: $got" $r
# The same NaN default asked twice is the same default.
scenario param_nan 'local a = param("x", 0/0)' 'local b = param("x", 0/0)' "$MODEL"
got=$(timeout 10 "$dessa" check "$T/param_nan.lua" 2>&1 | head -1)
check "param with a NaN default twice: $got" $([ "$got" = "$T/param_nan.lua: ok" ]; echo $?)
# Control characters in the binding's own messages (here the path in a syntax error, and a stop
# message) are escaped as well: each message stays one line.
esc_name=$'esc\e[1mname'
printf 'service "web" {\n' > "$T/$esc_name.lua"
got=$(timeout 10 "$dessa" check "$T/$esc_name.lua" 2>&1)
case $got in "$T/esc\\27[1mname.lua:"*) r=0 ;; *) r=1 ;; esac
check "control characters in the path are escaped: $got" $r
nl_name=$'nl\nname'
printf 'while true do end\n' > "$T/$nl_name.lua"
got=$(timeout 30 "$dessa" check "$T/$nl_name.lua" 2>&1)
check "a stop message stays one line: $got" $([ "$got" = "$T/nl\\nname.lua:1: $LONG" ]; echo $?)
got=$(timeout 10 "$dessa" check "$T/missing"$'\n'"file.lua" 2>&1)
check "a path in the binding's own messages is escaped: $got" $([ "$got" = "dessa: cannot read scenario '$T/missing\\nfile.lua': No such file or directory" ]; echo $?)

echo "seeds:"
scenario rnd 'print(math.random())' "$MODEL"
scenario rnd7 'print(math.random())' 'service "web" { work = exp(0.01) }' \
    'client "c" { target = "web", arrivals = poisson(1) }' 'run { duration = 10, seed = 7 }'
a=$("$dessa" check "$T/rnd.lua" 2>&1 >/dev/null)
b=$("$dessa" check "$T/rnd.lua" --seed 1 2>&1 >/dev/null)
c=$("$dessa" check "$T/rnd7.lua" 2>&1 >/dev/null)
d=$("$dessa" check "$T/rnd7.lua" --seed 7 2>&1 >/dev/null)
e=$("$dessa" check "$T/rnd7.lua" --seed 1 2>&1 >/dev/null)
check "no --seed draws like --seed 1 ($a / $b)" $([ "$a" = "$b" ]; echo $?)
check "run { seed = 7 } draws like --seed 7, printed once ($c / $d)" $([ "$c" = "$d" ] && [ "$c" != "$e" ]; echo $?)
scenario seed_from_random 'run { duration = 10, seed = math.random(1, 1000000) }' \
    'service "web" { work = exp(0.01) }' 'client "c" { target = "web", arrivals = poisson(1) }'
got=$("$dessa" check "$T/seed_from_random.lua" 2>&1)
check "a seed drawn from math.random is refused: $got" $([ "$got" = "$T/seed_from_random.lua:1: run: the seed must not depend on math.random" ]; echo $?)

echo "determinism:"
scenario order 'local t = {}' 'for i = 1, 60 do t["k" .. (i * 7919 % 1000)] = i end' \
    't[3], t[1], t[2.5], t[true], t[false] = 1, 1, 1, 1, 1' \
    'local ks = {}' 'for k in pairs(t) do ks[#ks + 1] = tostring(k) end' \
    'print(table.concat(ks, " "))' "$MODEL"
first=$("$dessa" check "$T/order.lua" 2>&1 >/dev/null)
same=0
for i in 1 2 3 4 5; do
    [ "$("$dessa" check "$T/order.lua" 2>&1 >/dev/null)" = "$first" ] || same=1
done
check "pairs order is the same in every run" $same
case $first in "[scenario] 1 2.5 3 k"*" false true") r=0 ;; *) r=1 ;; esac
check "pairs order: numbers, strings, booleans ($first)" $r

echo "warnings:"
scenario warn_pareto 'service "web" { work = pareto { alpha = 0.5, min = 0.001 } }' \
    'client "c" { target = "web", arrivals = poisson(1) }' 'run { duration = 10 }'
got=$("$dessa" check "$T/warn_pareto.lua" 2>&1 >/dev/null)
check "pareto alpha <= 1 warns: $got" $([ "${got%%$'\n'*}" = "$T/warn_pareto.lua:1: warning: pareto: alpha = 0.5 gives an infinite mean; samples can be far longer than the run, and requests that draw them never finish" ]; echo $?)
scenario warn_start 'service "web" { work = exp(0.01) }' \
    'client "c" { target = "web", arrivals = poisson(1), start = 1000 }' 'run { duration = 10 }'
got=$("$dessa" check "$T/warn_start.lua" 2>&1 >/dev/null)
check "start >= duration warns: $got" $([ "${got%%$'\n'*}" = "$T/warn_start.lua:2: warning: client \"c\": start = 1000 is not before the end of the run (duration = 10): it sends nothing" ]; echo $?)

finish 30
