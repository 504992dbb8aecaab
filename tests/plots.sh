#!/usr/bin/env bash
# Charts and the report: every chart kind drawn from real runs (through dessa plot and through
# the scripts on their own), each file a valid PNG or SVG of sensible size; the report names every
# flow and service and refers to nothing outside itself; gnuplot missing, too old or failing gives
# a clear error and leaves no file behind; the time to draw every chart of a 3-replication run.
# Where Chromium is installed, a headless screenshot of the report (tests/report_screenshot.sh).
. "$2/tests/lib/common.sh" "$@"
if ! command -v gnuplot >/dev/null 2>&1; then
    echo "SKIP charts: gnuplot is not installed (apt-get install gnuplot-nox); error checks only"
fi
. "$2/tests/lib/charts.sh"

# Real runs: a chain of calls (3 replications), threads not cores with a pool too small to answer
# anything (no latency histogram), and the M/M/1 queue.
"$dessa" run scenarios/sync_chain.lua -q -o "$tmp/chain" --reps 3 -j 2
check "run sync_chain" $?
"$dessa" run scenarios/thread_pool.lua -q -o "$tmp/pool" --set threads=8
check "run thread_pool" $?
"$dessa" run scenarios/mm1.lua -q -o "$tmp/mm1" --reps 2
check "run mm1" $?
# Brokers: a queue (2 replications) and a topic with three groups.
"$dessa" run scenarios/async_queue.lua -q -o "$tmp/aq" --reps 2 -j 2
check "run async_queue" $?
"$dessa" run scenarios/pubsub_fanout.lua -q -o "$tmp/fan"
check "run pubsub_fanout" $?
charts="timeseries latency_cdf flows services"

if has_gnuplot; then
    start=$(date +%s.%N)
    "$dessa" plot "$tmp/chain" --format png,svg > "$tmp/out" 2> "$tmp/err"
    st=$?; check "dessa plot png,svg: $(head -3 "$tmp/err")" $st
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    echo "timing: all 4 charts of a 3-replication run, PNG and SVG (8 files): $secs s"
    for c in $charts; do
        png "$tmp/chain/$c.png"; check "$c.png valid" $?
        svg "$tmp/chain/$c.svg"; check "$c.svg valid" $?
    done
    no_leftovers "$tmp/chain"; check "temporary files left by dessa plot" $?
    grep -q "timeseries.png" "$tmp/out"; check "dessa plot lists what it wrote" $?

    # One replication instead of the mean; a replication the run does not have.
    "$dessa" plot "$tmp/chain" --rep 2 -q 2> "$tmp/err"
    st=$?; check "--rep 2: $(head -2 "$tmp/err")" $st
    "$dessa" plot "$tmp/chain" --rep 3 -q 2> "$tmp/err"
    [ $? -eq 1 ] && grep -q "3 replications" "$tmp/err"; check "--rep 3 of 3 refused" $?

    # No request answered: the CDF is skipped with a reason, the other charts drawn.
    "$dessa" plot "$tmp/pool" > "$tmp/out" 2> "$tmp/err"
    st=$?; check "plot a run without answers: $(head -3 "$tmp/err")" $st
    grep -q "no latency_cdf chart: no request was answered" "$tmp/out"
    check "the skipped CDF is explained" $?
    for c in timeseries flows services; do png "$tmp/pool/$c.png"; check "pool $c.png" $?; done
    [ ! -e "$tmp/pool/latency_cdf.png" ]; check "no CDF without answers" $?

    # The scripts on their own, as docs/charts.md shows them.
    for c in $charts; do
        gnuplot -e "dir='$tmp/mm1'; out='$tmp/alone-$c.svg'; fmt='svg'" "plots/$c.gp" 2> "$tmp/err"
        st=$?; check "gnuplot plots/$c.gp on its own: $(grep -iv warning "$tmp/err" | head -2)" $st
        svg "$tmp/alone-$c.svg"; check "standalone $c.svg valid" $?
    done
    # Failures from faults.csv: a scheduled outage (the same in every replication) is shaded on
    # the chart of the mean; random crashes, which differ between replications, only on a chart
    # of one replication (--rep N), never on the mean of lines they do not belong to.
    printf '%s\n' 'local db = service "db" { workers = 4, work = exp(0.01) }' \
        'client "c" { target = db, arrivals = poisson(20), timeout = 1 }' \
        'if param("crashes", false) then crash { target = db, mttf = exp(60), mttr = exp(5) }' \
        'else outage { target = db, at = 100, duration = 30 } end' 'run { duration = 300 }' \
        > "$tmp/fail.lua"
    pink() { grep -c 'rgb(246, 213, 213)' "$1"; }
    "$dessa" run "$tmp/fail.lua" -q -o "$tmp/out1" --reps 2 &&
        "$dessa" plot "$tmp/out1" -q --format svg
    st=$?; check "plot a run with an outage" $st
    [ "$(pink "$tmp/out1/timeseries.svg")" -gt 0 ]; check "the outage shaded on the mean" $?
    "$dessa" run "$tmp/fail.lua" -q -o "$tmp/out2" --reps 2 --set crashes=true &&
        "$dessa" plot "$tmp/out2" -q --format svg
    st=$?; check "plot a run with random crashes" $st
    [ "$(pink "$tmp/out2/timeseries.svg")" -eq 0 ]; check "random crashes not shaded on the mean" $?
    "$dessa" plot "$tmp/out2" -q --format svg --rep 1
    [ "$(pink "$tmp/out2/timeseries.svg")" -gt 0 ]; check "random crashes shaded on one replication" $?
    # The hook for failures: intervals shaded on the time axis, with their labels.
    gnuplot -e "dir='$tmp/chain'; fmt='svg'; out='$tmp/shade.svg'; shade='120 180 db down;400 420 cut'" \
        plots/timeseries.gp 2>/dev/null
    svg "$tmp/shade.svg" && grep -q "db down" "$tmp/shade.svg"; check "shaded intervals drawn" $?
    (cd "$tmp" && gnuplot -e "dir='mm1'" "$root/plots/services.gp" 2>/dev/null)
    png "$tmp/mm1/services.png"; check "standalone default output next to the CSVs" $?
    grep -q "scenarios/mm1.lua" "$tmp/alone-flows.svg"; check "standalone caption from run.json" $?

    # The panels of the time series (gnuplot_plot_1a, 1b, ... in the SVG, one letter per panel):
    # five without brokers, six with, the sixth naming each broker and group (a queue's single
    # group repeats its broker and is drawn once).
    panels() { grep -o 'id="gnuplot_plot_1[a-z]"' "$1" | sort -u | wc -l; }
    [ "$(panels "$tmp/chain/timeseries.svg")" -eq 5 ] && ! grep -q '>messages<' "$tmp/chain/timeseries.svg"
    st=$?; check "timeseries without brokers: 5 panels ($(panels "$tmp/chain/timeseries.svg"))" $st
    "$dessa" plot "$tmp/aq" --format svg -q 2> "$tmp/err"
    st=$?; check "dessa plot async_queue: $(head -3 "$tmp/err")" $st
    ts="$tmp/aq/timeseries.svg"
    svg "$ts"; check "async_queue timeseries.svg valid" $?
    [ "$(panels "$ts")" -eq 6 ]; st=$?; check "timeseries with a broker: 6 panels ($(panels "$ts"))" $st
    grep -q '>messages<' "$ts" && grep -q '>orders_q<' "$ts" && grep -q '>waiting (depth)<' "$ts" &&
        grep -q '>lag<' "$ts"
    check "the broker panel names orders_q, depth and lag" $?
    ! grep -q 'orders_q/orders_q' "$ts"; check "a queue's single group is drawn once" $?
    gnuplot -e "dir='$tmp/fan'; fmt='svg'; out='$tmp/fan-ts.svg'" plots/timeseries.gp 2>/dev/null
    for e in orders orders/email orders/analytics orders/invoicing; do
        grep -q ">$e<" "$tmp/fan-ts.svg"; check "the topic's panel names $e" $?
    done
    # The completion bar of the asynchronous flow names its gap over the response.
    grep -q 'ms after the answer' "$tmp/aq/flows.svg"; check "flows chart names the gap" $?
    # Minutes of latency are drawn in s, and the labels are plain numbers (2162, not 2.16e+03);
    # the caption gives a param as written (rate=0.01, not 0.010000000000000000).
    printf '%s\n' 'service "s" { workers = "inf", work = exp(600) }' \
        'client "c" { target = "s", arrivals = poisson(param("rate", 0.01)) }' \
        'run { duration = 100000 }' \
        > "$tmp/slow.lua"
    "$dessa" run "$tmp/slow.lua" -q -o "$tmp/slow" && "$dessa" plot "$tmp/slow" -q --format svg
    st=$?; check "plot a run of minutes-long requests" $st
    grep -q '>time (s)<' "$tmp/slow/flows.svg" && grep -Eq '>[0-9]+ s<' "$tmp/slow/flows.svg" &&
        ! grep -q 'e+0' "$tmp/slow/flows.svg"
    st=$?; check "flows chart in s: $(grep -o '>time ([a-z]*)<' "$tmp/slow/flows.svg")" $st
    grep -q 'rate=0.01  |' "$tmp/slow/flows.svg"
    st=$?; check "caption: a param in its shortest form: $(grep -o 'rate=[^ ]*' "$tmp/slow/flows.svg")" $st

    # The report.
    start=$(date +%s.%N)
    "$dessa" report "$tmp/chain" > "$tmp/out" 2> "$tmp/err"
    st=$?; check "dessa report: $(head -3 "$tmp/err")" $st
    echo "timing: report.html of a 3-replication run: $(echo "$(date +%s.%N) - $start" | bc) s"
    r="$tmp/chain/report.html"
    for name in $(tail -n +2 "$tmp/chain/flows.csv" | cut -d, -f2 | sort -u) \
                $(tail -n +2 "$tmp/chain/services.csv" | cut -d, -f2 | sort -u); do
        grep -q ">$name<" "$r"; check "the report names $name" $?
    done
    [ "$(grep -c '<svg' "$r")" -eq 4 ]; check "the report holds 4 inline charts" $?
    ! grep -Eiq '<script|src=|href="?https?:|@import|url\(https?:|<link' "$r"
    check "the report refers to nothing outside itself" $?
    grep -q 'local threads = param(' "$r"; check "the report shows the scenario" $?
    grep -q '@media print' "$r"; check "the report has print styles" $?
    no_leftovers "$tmp/chain"; check "temporary files left by dessa report" $?
    if command -v python3 >/dev/null 2>&1; then
        balanced_html "$r"
        check "the report's tags are balanced" $?
    fi
    # Brokers: a row per broker and per group (broker/group), never averaged together.
    "$dessa" report "$tmp/fan" --no-charts -q; check "report pubsub_fanout" $?
    r="$tmp/fan/report.html"
    for e in orders orders/email orders/analytics orders/invoicing; do
        grep -q "<tr><td>$e</td>" "$r"; check "the report has a broker row $e" $?
    done
    # The topic's own row acknowledges every group's copy: 3 x published (brokers.csv, not the
    # average of the broker and group rows).
    acked=$(awk -F, 'NR > 1 && $2 == "orders" && $3 == "" { print $6 }' "$tmp/fan/brokers.csv")
    grep -q "<tr><td>orders</td><td>[0-9]*</td><td>[0-9]*</td><td>$acked</td>" "$r"
    check "the topic row's acked is brokers.csv's ($acked)" $?
    # The invoicing group's mean sojourn in ms, as brokers.csv has it in seconds.
    soj=$(awk -F, 'NR > 1 && $3 == "invoicing" { printf "%.2f", $21 * 1000 }' "$tmp/fan/brokers.csv")
    grep -q "<tr><td>orders/invoicing</td>.*<td>$soj</td>" "$r"; check "broker times in ms ($soj)" $?
    "$dessa" report "$tmp/aq" -q; check "report async_queue" $?
    grep -q "<tr><td>orders_q</td>" "$tmp/aq/report.html"; check "the report names orders_q" $?
    # Completion times in ms like the others (not a raw column in seconds), incomplete as a count.
    grep -q '<th>completion p50</th>' "$tmp/aq/report.html" &&
        ! grep -q '<th>completion_p50</th>' "$tmp/aq/report.html"
    check "the report's completion p50 is a known column" $?
    grep -q '<th>age mean</th>' "$tmp/aq/report.html" && grep -q '<th>sojourn p99</th>' "$tmp/aq/report.html"
    check "the report's broker times" $?
    # Warnings in run.json (another part of dessa adds them) are shown.
    cp -r "$tmp/mm1" "$tmp/warn"
    sed -i 's/^{$/{ "warnings": [ "service server: offered load 0.9 of its capacity" ],/' "$tmp/warn/run.json"
    "$dessa" report "$tmp/warn" -q
    check "report with warnings" $?
    grep -q "offered load 0.9 of its capacity" "$tmp/warn/report.html"; check "warnings shown" $?

    # Chromium opens the report and renders it (tests/report_screenshot.sh; CI runs it after
    # the suite, once its background install of Chromium is done: DESSA_TEST_SCREENSHOT=later).
    if [ "${DESSA_TEST_SCREENSHOT:-}" = later ]; then
        echo "SKIP report screenshot: run on its own afterwards (DESSA_TEST_SCREENSHOT=later)"
    else
        bash tests/report_screenshot.sh "$dessa" "$root" | sed 's/^/  screenshot: /'
        check "the report's screenshot (tests/report_screenshot.sh)" "${PIPESTATUS[0]}"
    fi
fi

# gnuplot missing: a clear message, how to install it, exit 1, nothing written.
mkdir -p "$tmp/empty" "$tmp/bin"
rm -f "$tmp/mm1/"*.png
env -u DESSA_GNUPLOT PATH="$tmp/empty" "$dessa" plot "$tmp/mm1" > "$tmp/out" 2> "$tmp/err"
[ $? -eq 1 ]; check "plot without gnuplot: exit 1" $?
grep -q "cannot run gnuplot" "$tmp/err" && grep -q "apt-get install gnuplot" "$tmp/err"
st=$?; check "plot without gnuplot: the message says how to install it: $(head -2 "$tmp/err")" $st
! ls "$tmp/mm1" | grep -q '\.png'; check "plot without gnuplot wrote nothing" $?
env -u DESSA_GNUPLOT PATH="$tmp/empty" "$dessa" report "$tmp/mm1" 2> "$tmp/err"
[ $? -eq 1 ] && grep -q -- "--no-charts" "$tmp/err"; check "report without gnuplot: exit 1, hint" $?
[ ! -e "$tmp/mm1/report.html" ]; check "report without gnuplot wrote nothing" $?
env -u DESSA_GNUPLOT PATH="$tmp/empty" "$dessa" report "$tmp/mm1" --no-charts -q
check "report --no-charts without gnuplot" $?
grep -q ">server<" "$tmp/mm1/report.html" && ! grep -q '<svg' "$tmp/mm1/report.html"
check "report --no-charts: tables, no charts" $?
# The CSV files never need gnuplot.
env PATH="$tmp/empty" "$dessa" run scenarios/mm1.lua -q -o "$tmp/nognuplot"
check "dessa run without gnuplot on PATH" $?

# gnuplot too old.
printf '#!/bin/sh\ncat >/dev/null\necho "version 4.6" >&2\necho "pngcairo yes" >&2\n' > "$tmp/bin/gnuplot"
chmod +x "$tmp/bin/gnuplot"
DESSA_GNUPLOT="$tmp/bin/gnuplot" "$dessa" plot "$tmp/mm1" 2> "$tmp/err"
[ $? -eq 1 ] && grep -q "gnuplot 4.6 is too old" "$tmp/err"
st=$?; check "old gnuplot refused: $(head -1 "$tmp/err")" $st
# gnuplot without pngcairo.
sed -i 's/version 4.6/version 5.4/; s/pngcairo yes/pngcairo no/' "$tmp/bin/gnuplot"
DESSA_GNUPLOT="$tmp/bin/gnuplot" "$dessa" plot "$tmp/mm1" 2> "$tmp/err"
[ $? -eq 1 ] && grep -q "no pngcairo" "$tmp/err"; st=$?; check "gnuplot without pngcairo: $(head -1 "$tmp/err")" $st
# gnuplot that writes half a file and fails: the file is removed, the old one kept.
cat > "$tmp/bin/gnuplot" <<'EOF'
#!/bin/sh
script=$(cat)
out=$(printf '%s\n' "$script" | sed -n "s/^out = '\(.*\)'$/\1/p")
if [ -z "$out" ]; then echo "version 5.4" >&2; echo "pngcairo yes" >&2; exit 0; fi
printf 'half a chart' > "$out"
echo "line 12: something went wrong" >&2
exit 1
EOF
echo "old chart" > "$tmp/mm1/flows.png"
DESSA_GNUPLOT="$tmp/bin/gnuplot" "$dessa" plot "$tmp/mm1" 2> "$tmp/err"
[ $? -eq 1 ] && grep -q "gnuplot failed to draw" "$tmp/err" && grep -q "something went wrong" "$tmp/err"
st=$?; check "failing gnuplot reported: $(head -1 "$tmp/err")" $st
[ "$(cat "$tmp/mm1/flows.png")" = "old chart" ]; check "a failed chart leaves the old file" $?
no_leftovers "$tmp/mm1"; check "a failed chart leaves no temporary file" $?
[ ! -e "$tmp/mm1/timeseries.png" ]; check "a failed chart leaves no new file" $?

# Usage and directories.
"$dessa" plot 2>/dev/null; [ $? -eq 2 ]; check "plot without DIR: exit 2" $?
"$dessa" plot "$tmp/chain" --format gif 2> "$tmp/err"; [ $? -eq 2 ]
check "--format gif: exit 2" $?
"$dessa" plot "$tmp/chain" --frob 2>/dev/null; [ $? -eq 2 ]; check "unknown option: exit 2" $?
"$dessa" plot "$tmp/nowhere" 2> "$tmp/err"; [ $? -eq 1 ] && grep -q "nowhere" "$tmp/err"
check "missing DIR: exit 1 naming it" $?
"$dessa" plot "$tmp/empty" 2> "$tmp/err"; [ $? -eq 1 ] && grep -q "run.json" "$tmp/err"
st=$?; check "a directory without results: exit 1: $(head -1 "$tmp/err")" $st
nl="$tmp/line
break"
mkdir -p "$nl"
"$dessa" plot "$nl" 2> "$tmp/err"; [ $? -eq 1 ] && grep -q "line break" "$tmp/err"
check "a directory name with a line break: exit 1" $?
"$dessa" plot --help | grep -q "usage: dessa plot"; check "plot --help" $?
"$dessa" help report | grep -q "usage: dessa report"; check "dessa help report" $?
"$dessa" report --help | grep -q "usage: dessa report"; check "report --help" $?
printf '{ "scenario": ' > "$tmp/empty/run.json"
"$dessa" report "$tmp/empty" 2> "$tmp/err"; [ $? -eq 1 ] && grep -q "not valid JSON" "$tmp/err"
check "a broken run.json: exit 1" $?
finish 52
