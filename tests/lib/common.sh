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

# finish [MIN]: prints the counts; succeeds when nothing failed and at least MIN checks passed.
finish() {
    echo "$pass passed, $fail failed"
    [ "$fail" -eq 0 ] && [ "$pass" -ge "${1:-1}" ]
}
