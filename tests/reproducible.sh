#!/usr/bin/env bash
# Same scenario and seed -> byte-identical CSV files, whatever the number of threads;
# another seed -> different numbers.
. "$2/tests/lib/common.sh" "$@"
for s in scenarios/*.lua; do
    name=$(basename "$s" .lua)
    "$dessa" run "$s" -q --seed 7 --reps 3 -j 1 -o "$tmp/$name-a"
    "$dessa" run "$s" -q --seed 7 --reps 3 -j 2 -o "$tmp/$name-b"
    "$dessa" run "$s" -q --seed 8 --reps 3 -j 2 -o "$tmp/$name-c"
    for f in flows services timeseries latency; do
        cmp -s "$tmp/$name-a/$f.csv" "$tmp/$name-b/$f.csv"
        check "$name: $f.csv differs between two runs with seed 7" $?
    done
    ! cmp -s "$tmp/$name-a/flows.csv" "$tmp/$name-c/flows.csv"
    check "$name: seeds 7 and 8 gave the same flows.csv" $?
    # One row per flow and replication in flows.csv.
    rows=$(($(wc -l < "$tmp/$name-a/flows.csv") - 1))
    [ "$rows" -ge 3 ] && [ $((rows % 3)) -eq 0 ]
    check "$name: flows.csv has $rows rows for 3 replications" $?
done
# More replications than threads, finishing out of order: still written in order.
"$dessa" run scenarios/mm1.lua -q --seed 3 --reps 7 -j 1 -o "$tmp/order-a"
"$dessa" run scenarios/mm1.lua -q --seed 3 --reps 7 -j 2 -o "$tmp/order-b"
for f in flows services timeseries latency; do
    cmp -s "$tmp/order-a/$f.csv" "$tmp/order-b/$f.csv"
    check "mm1 x 7: $f.csv differs between -j 1 and -j 2" $?
done
finish
