#!/usr/bin/env bash
# Every complete example in docs/ (a ```lua block whose first line is `-- example: NAME`) must
# pass `dessa check` and run to completion with `dessa run` (and with `dessa sweep` when it
# declares a sweep).
. "$2/tests/lib/common.sh" "$@"
awk -v dir="$tmp" '
    /^```lua/ { inblock = 1; first = 1; next }
    /^```/ && inblock { inblock = 0; if (out) close(out); out = ""; next }
    inblock && first {
        first = 0
        if ($0 ~ /^-- example: /) { f = FILENAME "-" $3 ".lua"; gsub("/", "_", f); out = dir "/" f }
    }
    inblock && out { print > out }
' docs/*.md
for f in "$tmp"/*.lua; do
    [ -e "$f" ] || continue
    name=$(basename "$f")
    swept=true
    if grep -q '^sweep *{' "$f"; then
        swept="$dessa sweep $f -q -j 2 -o $tmp/sweep-$name"
    fi
    if "$dessa" check "$f" >/dev/null 2>"$tmp/err" && "$dessa" run "$f" -q -o "$tmp/out-$name" 2>>"$tmp/err" &&
        $swept 2>>"$tmp/err"; then
        pass=$((pass + 1))
    else
        echo "FAIL $name: $(head -3 "$tmp/err")"
        fail=$((fail + 1))
    fi
done
finish
