# Shared by the script tests: sourced as `. tests/lib/common.sh "$@"` with the arguments ctest
# passes (the dessa program and the project root). Sets $dessa, moves to the root, makes $tmp
# (removed on exit), and keeps pass/fail counts for the closing "N passed, M failed" line.
set -u
dessa=$1 root=$2
cd "$root" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# check DESCRIPTION STATUS: counts a pass for status 0, otherwise prints FAIL DESCRIPTION.
check() {
    if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else echo "FAIL $1"; fail=$((fail + 1)); fi
}

# run_into NAME SCENARIO ARGS...: dessa run SCENARIO into $tmp/NAME (stderr in $tmp/NAME.err),
# checked: a run whose ledger does not balance exits 1. (The status is taken before the
# description is built: a command substitution there would replace it.)
run_into() {
    local name=$1 file=$2
    shift 2
    "$dessa" run "$file" -q -o "$tmp/$name" "$@" 2>"$tmp/$name.err"
    local st=$?
    check "$name: runs, ledger balanced ($(head -c 300 "$tmp/$name.err"))" $st
}

# pycheck DIR PRELUDE SCRIPT: runs the Python PRELUDE, then SCRIPT, with tests/lib/rows.py's
# helpers (rows, ci, want, n, T99; rows() reads the CSV files of the run directory DIR) and math,
# heapq and sys imported; prints what they print (the failures), a Python error included. The
# tests' stat() functions give it the tables and helpers their checks share.
pycheck() {
    python3 - "$1" 2>&1 <<PY
import heapq, math, sys
sys.path.insert(0, "tests/lib")
from rows import T99, ci, n, rows, want
$2
$3
PY
}

# finish [MIN]: prints the counts; succeeds when nothing failed and at least MIN checks passed.
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ] && [ "$pass" -ge "${1:-1}" ]
}

# lasting SCENARIO SECONDS: a value for the scenario's param("d") (its duration in simulated
# seconds) that makes one replication last about SECONDS of wall time with this build on this
# machine, as loaded as it is now. For the tests that need a run to last (a progress line on a
# terminal) whatever the build: a sanitized build runs about twenty times slower than a Release
# one. Measured by runs ten times longer each until one spends 0.3 s more than the start of the
# program (a run of d = 1: loading, checking, writing; tenths of a second on a loaded machine).
lasting() {
    local file=$1 secs=$2 d=1 us base=0
    while :; do
        us=$(lasting_us "$file" $d) || return 1
        [ "$d" -eq 1 ] && base=$us
        [ $((us - base)) -ge 300000 ] || [ "$d" -ge 1000000000 ] && break
        d=$((d * 10))
    done
    awk -v d="$d" -v us=$((us - base)) -v s="$secs" 'BEGIN { printf "%.0f\n", d * s * 1e6 / us }'
}

# lasting_us SCENARIO D: the microseconds of wall time a run of the scenario with d = D takes.
lasting_us() {
    local t0 t1
    t0=${EPOCHREALTIME/[.,]/}
    "$dessa" run "$1" -q -o "$tmp/lasting" --force --set d="$2" >/dev/null 2>&1 || return 1
    t1=${EPOCHREALTIME/[.,]/}
    rm -rf "$tmp/lasting"
    echo $((t1 - t0))
}
