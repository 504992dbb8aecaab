#!/usr/bin/env bash
# Every complete example in docs/ (a ```lua block whose first line is `-- example: NAME`) must
# pass `dessa check` and run to completion with `dessa run`.
set -u
dessa=$1 root=$2
cd "$root" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v dir="$tmp" '
    /^```lua/ { inblock = 1; first = 1; next }
    /^```/ && inblock { inblock = 0; if (out) close(out); out = ""; next }
    inblock && first {
        first = 0
        if ($0 ~ /^-- example: /) { name = $3; out = dir "/" FILENAME "-" name ".lua"; gsub("/", "_", out); out = dir "/" substr(out, length(dir) + 2) }
    }
    inblock && out { print > out }
' docs/*.md
pass=0 fail=0
for f in "$tmp"/*.lua; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    if "$dessa" check "$f" >/dev/null 2>"$tmp/err" && "$dessa" run "$f" -q -o "$tmp/out" 2>>"$tmp/err"; then
        pass=$((pass + 1))
    else
        echo "FAIL $name: $(head -3 "$tmp/err")"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -ge 1 ]
