#!/usr/bin/env bash
# Benchmarks of size: many services (bench/many_services.lua), the closed-user ladder
# (bench/closed_ladder.lua) and the memory per request in flight (bench/in_flight.lua). Each
# figure is printed for every build given, the builds alternating round by round, so a ratio
# between two builds is measured side by side on the same machine. Times are CPU seconds
# (user + system) of the whole program.
# Usage: bench/scale.sh ROUNDS BUILD_DIR...     (e.g. bench/scale.sh 3 build /tmp/old/build)
set -euo pipefail
rounds=${1:-3}
shift
[ $# -gt 0 ] || set -- build
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/bench/lib.sh"
for r in $(seq "$rounds"); do
    for b in "$@"; do
        d="$b/dessa"
        for n in 1000 10000; do
            build=$(cpu "$d" check "$root/bench/many_services.lua" --set n=$n)
            run=$(cpu "$d" run "$root/bench/many_services.lua" -q -o "$tmp/out" --force --set n=$n)
            ev=$(json events)
            printf '%s round %d many_services n=%-6d build (check) %6.3f s  run %6.3f s  events %d  %5.0f ns/event beyond the build  peak %d KB\n' \
                "$b" "$r" "$n" "$build" "$run" "$ev" \
                "$(awk -v a="$run" -v b="$build" -v e="$ev" 'BEGIN { print (a - b) / e * 1e9 }')" "$(json peak_rss_kb)"
        done
        # Memory per service + client until used: peak RSS of a run that ends at once.
        "$d" run "$root/bench/many_services.lua" -q -o "$tmp/out" --force --set n=1000 --set duration=0.001
        small=$(json peak_rss_kb)
        "$d" run "$root/bench/many_services.lua" -q -o "$tmp/out" --force --set n=10000 --set duration=0.001
        large=$(json peak_rss_kb)
        printf '%s round %d many_services until used 10^3 -> 10^4: peak %d -> %d KB, %.2f KB per service + client\n' \
            "$b" "$r" "$small" "$large" "$(awk -v s="$small" -v l="$large" 'BEGIN { print (l - s) / 9000 }')"
        for u in 1000 100000 1000000; do
            run=$(cpu "$d" run "$root/bench/closed_ladder.lua" -q -o "$tmp/out" --force --set users=$u)
            ev=$(json events)
            printf '%s round %d closed_ladder users=%-8d run %6.3f s  events %d  %5.0f ns/event  peak %d KB\n' \
                "$b" "$r" "$u" "$run" "$ev" "$(awk -v a="$run" -v e="$ev" 'BEGIN { print a / e * 1e9 }')" \
                "$(json peak_rss_kb)"
        done
        "$d" run "$root/bench/in_flight.lua" -q -o "$tmp/out" --force --set users=10000 2>/dev/null
        small=$(json peak_rss_kb)
        "$d" run "$root/bench/in_flight.lua" -q -o "$tmp/out" --force --set users=100000 2>/dev/null
        large=$(json peak_rss_kb)
        printf '%s round %d in_flight 10^4 -> 10^5 requests: peak %d -> %d KB, %.0f bytes per request in flight\n' \
            "$b" "$r" "$small" "$large" "$(awk -v s="$small" -v l="$large" 'BEGIN { print (l - s) * 1024 / 90000 }')"
    done
done
