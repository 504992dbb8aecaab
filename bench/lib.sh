# Shared by the benchmark scripts (sourced): a temporary directory $tmp (removed on exit),
# json KEY (a number from $tmp/out/run.json, the last run's) and cpu COMMAND... (runs it and
# prints its CPU seconds, user + system, so a figure holds on a loaded machine; its output goes
# to $tmp/log, its messages to $tmp/err).
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
json() { sed -n "s/.*\"$1\": \([0-9.e+-]*\).*/\1/p" "$tmp/out/run.json" | head -1; }
cpu() {
    local TIMEFORMAT='%U %S'
    { time "$@" >"$tmp/log" 2>"$tmp/err"; } 2>"$tmp/time"
    awk '{ printf "%.3f", $1 + $2 }' "$tmp/time"
}
