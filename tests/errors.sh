#!/usr/bin/env bash
# Golden error messages: every tests/errors/*.lua holds one mistake and names, on its first line
# (`-- expect: ...`), the exact first line dessa must print. Each must also exit with status 1 and
# leave no output directory behind. A second line `-- set: NAME=VALUE` passes an override.
. "$2/tests/lib/common.sh" "$@"
for f in tests/errors/*.lua; do
    expect=$(sed -n '1s/^-- expect: //p' "$f")
    set_arg=$(sed -n '2s/^-- set: //p' "$f")
    args=()
    [ -n "$set_arg" ] && args=(--set "$set_arg")
    for cmd in check run; do
        out="$tmp/out-$cmd"
        if [ "$cmd" = run ]; then got=$("$dessa" run "$f" "${args[@]}" -o "$out" 2>&1 >/dev/null); else got=$("$dessa" check "$f" "${args[@]}" 2>&1 >/dev/null); fi
        rc=$?
        first=${got%%$'\n'*}
        if [ -z "$expect" ] || [ "$first" != "$expect" ] || [ "$rc" -ne 1 ] || [ -e "$out" ]; then
            echo "FAIL $cmd $f (exit $rc)"
            echo "  expected: $expect"
            echo "  got:      $first"
            [ -e "$out" ] && echo "  and it left $out behind"
            fail=$((fail + 1))
        else
            pass=$((pass + 1))
        fi
    done
done
finish 30
