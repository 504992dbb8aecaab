#!/usr/bin/env bash
# The run phase of a wide model (bench/many_services.lua, 10^4 services each with its own client):
# CPU of the build (`dessa check`), of the run at duration 20 and at duration 200, for every build
# given, the builds alternating round by round. Prints the time per event beyond the build at
# duration 20 (what bench/scale.sh prints) and the marginal time per event from 20 to 200 (the
# run without its fixed costs: build, the 60 time-series rows per entity, the end-of-run rows).
# Usage: bench/wide_run.sh ROUNDS BUILD_DIR...     (e.g. bench/wide_run.sh 3 build /tmp/old/build)
set -euo pipefail
rounds=${1:-3}
shift
[ $# -gt 0 ] || set -- build
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
m="$root/bench/many_services.lua"
for r in $(seq "$rounds"); do
    for b in "$@"; do
        d="$b/dessa"
        build=$(cpu "$d" check "$m" --set n=10000)
        short=$(cpu "$d" run "$m" -q -o "$tmp/out" --force --set n=10000 --set duration=20)
        es=$(json events)
        long=$(cpu "$d" run "$m" -q -o "$tmp/out" --force --set n=10000 --set duration=200)
        el=$(json events)
        printf '%s round %d build %6.3f s  run 20 s %6.3f s (%d events)  run 200 s %6.3f s (%d events, peak %d KB)  %4.0f ns/event beyond the build  %4.0f ns/event from 20 to 200\n' \
            "$b" "$r" "$build" "$short" "$es" "$long" "$el" "$(json peak_rss_kb)" \
            "$(awk -v a="$short" -v b="$build" -v e="$es" 'BEGIN { print (a - b) / e * 1e9 }')" \
            "$(awk -v a="$short" -v b="$long" -v e="$es" -v f="$el" 'BEGIN { print (b - a) / (f - e) * 1e9 }')"
    done
done
