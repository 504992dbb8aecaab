#!/usr/bin/env bash
# Sweep charts and the sweep report: a small real sweep (two flows, rate x mode, 3 replications),
# every sweep chart drawn as PNG and SVG through dessa plot and through the scripts on their
# own, each file valid and holding the lines it should (one per flow panel, variant and
# percentile); the report names every flow and swept param; --x, --y and --by errors; the time to
# draw every chart of a 40-point sweep.
. "$2/tests/lib/common.sh" "$@"
. "$2/tests/lib/charts.sh"
has_gnuplot || echo "SKIP charts: gnuplot is not installed (apt-get install gnuplot-nox); errors only"

# Two flows into a web tier of 4 threads that calls a database of 20 ms: synchronous calls hold
# a thread (capacity 4 / 20 ms = 200/s, so the last rate saturates), asynchronous ones do not.
cat > "$tmp/m.lua" <<'LUA'
local rate = param("rate", 50)
local mode = param("mode", "sync")
local size = param("size", 1)
local db = service "db" { workers = math.huge, endpoint "q" { io(exp(ms(20))) } }
local web = service "web" { workers = 4, queue = 500,
  endpoint "page" { work(exp(ms(1) * size)), call(db, { blocking = mode == "sync" }) } }
client "users" { target = web, arrivals = poisson(rate), timeout = 5 }
client "batch" { target = web, arrivals = poisson(10), timeout = 5 }
run { duration = 30, warmup = 5 }
sweep { rate = { 40, 100, 160, 220 }, mode = { "sync", "async" }, reps = 3 }
LUA
"$dessa" sweep "$tmp/m.lua" -q -o "$tmp/s" -j 2
check "sweep for the charts" $?
"$dessa" run "$tmp/m.lua" -q -o "$tmp/run"
check "a run of the same model" $?

# Usage errors: exit 2, naming what exists.
usage() {   # usage DESCRIPTION EXPECTED-TEXT ARGS...
    local what=$1 want=$2
    shift 2
    "$dessa" plot "$@" > "$tmp/out" 2> "$tmp/err"
    [ $? -eq 2 ] && grep -q -- "$want" "$tmp/err"; st=$?; check "$what: $(head -1 "$tmp/err")" $st
}
usage "--x not a param" "swept parameters are: rate, mode" "$tmp/s" --x threads
usage "--x not numeric" "numeric swept parameters: rate" "$tmp/s" --x mode
usage "--by not a param" "swept parameters are: rate, mode" "$tmp/s" --by colour
usage "--by = --x" "already the x axis" "$tmp/s" --x rate --by rate
usage "--y not a column" "entities: users batch db web" "$tmp/s" --y p99
usage "--y not a column lists metrics" "latency_p99" "$tmp/s" --y users.p99
usage "--x for a run" "apply to a sweep" "$tmp/run" --x rate
usage "--by for a run" "apply to a sweep" "$tmp/run" --by mode
usage "--y without a value" "needs a value" "$tmp/s" --y
usage "--rep for a sweep" "applies to a run" "$tmp/s" --rep 1
ls "$tmp/s" | grep -q '\.png\|\.svg'; [ $? -ne 0 ]; check "usage errors drew nothing" $?

if has_gnuplot; then
    "$dessa" plot "$tmp/s" --format png,svg > "$tmp/out" 2> "$tmp/err"
    st=$?; check "dessa plot SWEEPDIR: $(head -3 "$tmp/err")" $st
    charts="latency_load metric-throughput metric-threads_working metric-threads_blocked"
    for c in $charts; do
        png "$tmp/s/$c.png"; check "$c.png valid" $?
        svg "$tmp/s/$c.svg"; check "$c.svg valid" $?
        grep -q "$c.png" "$tmp/out"; check "dessa plot lists $c.png" $?
    done
    no_leftovers "$tmp/s"; check "no temporary files" $?
    # What the charts hold: a panel per flow, a line per mode and percentile, the axis, caption.
    l="$tmp/s/latency_load.svg"
    for t in "flow users" "flow batch" "mode=sync p99" "mode=sync p50" "mode=async mean" \
             ">rate<" "response time (ms)" "sweep of rate x mode (8 points)" "3 replications"; do
        grep -q -- "$t" "$l"; check "latency_load.svg shows '$t'" $?
    done
    for e in users batch db web; do
        grep -q ">$e.throughput<" "$tmp/s/metric-throughput.svg"
        check "metric-throughput.svg has a panel for $e" $?
    done
    # The p99 of sync at 220/s is far above async's: the chart switches to a log axis.
    sync99=$(awk -F, '$2 == 220 && $3 == "sync" && $4 == "users.latency_p99" { print $6 }' \
             "$tmp/s/sweep_summary.csv")
    async50=$(awk -F, '$2 == 40 && $3 == "async" && $4 == "users.latency_p50" { print $6 }' \
              "$tmp/s/sweep_summary.csv")
    if [ "$(echo "$sync99 > 100 * $async50" | bc -l)" = 1 ]; then
        grep -q '> *1000<' "$l" && grep -q '> *100<' "$l" && grep -q '> *10<' "$l"
        check "log axis for a range of decades (p99 $sync99 s vs p50 $async50 s)" $?
    else
        echo "note: the saturated point did not span two decades ($sync99 vs $async50)"
    fi

    # --x, --y, --by.
    "$dessa" plot "$tmp/s" --x rate --y web.threads_blocked --by mode -q 2> "$tmp/err"
    st=$?; check "--x rate --y web.threads_blocked --by mode: $(head -2 "$tmp/err")" $st
    png "$tmp/s/metric-web.threads_blocked.png"; check "metric-web.threads_blocked.png" $?
    "$dessa" plot "$tmp/s" --y latency_p99 --format svg -q 2> "$tmp/err"
    st=$?; check "--y latency_p99 (every flow): $(head -2 "$tmp/err")" $st
    f="$tmp/s/metric-latency_p99.svg"
    svg "$f" && grep -q '>users.latency_p99<' "$f" && grep -q '>batch.latency_p99<' "$f" &&
        grep -q 'latency p99 (ms)' "$f"
    check "--y METRIC: a panel per flow, in ms" $?

    # The scripts on their own, the caption read from sweep.json.
    for c in latency_load metric; do
        gnuplot -e "dir='$tmp/s'; fmt='svg'; out='$tmp/alone-$c.svg'; y='throughput'" \
            "plots/$c.gp" 2> "$tmp/err"
        st=$?; check "gnuplot plots/$c.gp on its own: $(grep -iv warning "$tmp/err" | head -2)" $st
        svg "$tmp/alone-$c.svg"; check "standalone $c.svg valid" $?
        grep -q "m.lua  |  sweep of rate mode" "$tmp/alone-$c.svg"
        check "standalone $c caption from sweep.json" $?
    done
    gnuplot -e "dir='$tmp/s'; fmt='svg'; out='$tmp/alone-by.svg'; y='users.throughput'; x='rate'; by='mode'" \
        plots/metric.gp 2>/dev/null && grep -q "mode=async" "$tmp/alone-by.svg"
    check "standalone metric.gp with x, y, by" $?

    # The report.
    "$dessa" report "$tmp/s" > "$tmp/out" 2> "$tmp/err"
    st=$?; check "dessa report SWEEPDIR: $(head -3 "$tmp/err")" $st
    r="$tmp/s/report.html"
    for name in users batch; do
        grep -q "Flow $name<" "$r"; check "the report has the points of flow $name" $?
    done
    for p in rate mode; do
        grep -q "<th>$p</th>" "$r" && grep -q "parameter <code>$p</code>" "$r"
        check "the report names swept param $p" $?
    done
    grep -q '<td>40</td><td>sync</td>' "$r" && grep -q '<td>220</td><td>async</td>' "$r"
    check "the report lists the points" $?
    [ "$(grep -c '<svg' "$r")" -eq 4 ]; check "the report holds the 4 sweep charts" $?
    ! grep -Eiq '<script|src=|href="?https?:|@import|url\(https?:|<link' "$r"
    check "the report refers to nothing outside itself" $?
    grep -q 'local mode = param(' "$r"; check "the report shows the scenario" $?
    no_leftovers "$tmp/s"; check "no temporary files after the report" $?
    if command -v python3 >/dev/null 2>&1; then
        balanced_html "$r"
        check "the sweep report's tags are balanced" $?
    fi
    # The mean of the points table is the mean of the replications in sweep.csv.
    want=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "users.throughput") c = i }
                    NR > 1 && $2 == 100 && $3 == "async" { s += $c; n++ }
                    END { printf "%.2f", s / n }' "$tmp/s/sweep.csv")
    grep -q "<td>100</td><td>async</td><td>$want " "$r"
    check "the table's throughput at 100/s async is the mean of sweep.csv ($want)" $?

    # A 40-point sweep of a tiny model, 2 replications: the time to draw all its charts.
    cat > "$tmp/t.lua" <<'LUA'
local rate = param("rate", 0.5)
local mode = param("mode", "a")
local size = param("size", 1)
local s = service "s" { workers = mode == "a" and 1 or 2, endpoint "e" { work(exp(size)) } }
client "c" { target = s, arrivals = poisson(rate) }
run { duration = 200 }
sweep { rate = range(0.1, 1.0, 0.1), mode = { "a", "b" }, size = { 1, 0.5 }, reps = 2 }
LUA
    "$dessa" sweep "$tmp/t.lua" -q -o "$tmp/t" -j 2
    check "40-point sweep" $?
    [ "$(tail -n +2 "$tmp/t/sweep.csv" | wc -l)" -eq 80 ]; check "40 points x 2 replications" $?
    start=$(date +%s.%N)
    "$dessa" plot "$tmp/t" --format png,svg -q 2> "$tmp/err"
    st=$?; check "plot the 40-point sweep: $(head -2 "$tmp/err")" $st
    secs=$(echo "$(date +%s.%N) - $start" | bc)
    echo "timing: every chart of a 40-point sweep (2 replications), PNG and SVG ($(ls "$tmp/t" | grep -c '\.png\|\.svg') files): $secs s"
    [ "$(echo "$secs < 60" | bc)" = 1 ]; check "seconds, not minutes ($secs s)" $?
    # A third param is held at its value in point 0, and the title says so.
    grep -q "size=1" "$tmp/t/latency_load.svg"; check "the held param is named in the title" $?
    for c in latency_load metric-throughput; do png "$tmp/t/$c.png"; check "40-point $c.png" $?; done

    # A sweep where no point answers anything: the panel is drawn, empty, and says why.
    cat > "$tmp/none.lua" <<'LUA'
local rate = param("rate", 1)
local s = service "s" { workers = 1, endpoint "e" { work(10) } }
client "c" { target = s, arrivals = poisson(rate), timeout = 0.1 }
run { duration = 20 }
sweep { rate = { 1, 2, 3 }, reps = 2 }
LUA
    "$dessa" sweep "$tmp/none.lua" -q -o "$tmp/none" && "$dessa" plot "$tmp/none" --format svg -q
    check "plot a sweep without any answer" $?
    svg "$tmp/none/latency_load.svg" && grep -q "nothing answered: rate 1, 2, 3" "$tmp/none/latency_load.svg"
    check "latency_load names the points without answers" $?

    # gnuplot missing: exit 1 with the hint, nothing drawn.
    mkdir -p "$tmp/empty"
    rm -f "$tmp/s/"*.png
    env -u DESSA_GNUPLOT PATH="$tmp/empty" "$dessa" plot "$tmp/s" 2> "$tmp/err"
    [ $? -eq 1 ] && grep -q "apt-get install gnuplot" "$tmp/err"; check "sweep plot without gnuplot" $?
    ! ls "$tmp/s" | grep -q '\.png'; check "sweep plot without gnuplot drew nothing" $?
fi
rm -f "$tmp/s/report.html"
mkdir -p "$tmp/empty"
env -u DESSA_GNUPLOT PATH="$tmp/empty" "$dessa" report "$tmp/s" --no-charts -q
check "sweep report --no-charts without gnuplot" $?
grep -q "Flow users<" "$tmp/s/report.html" && ! grep -q '<svg' "$tmp/s/report.html"
check "sweep report --no-charts: the tables, no charts" $?
finish 30
