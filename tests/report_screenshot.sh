#!/usr/bin/env bash
# The HTML report in a real browser: Chromium (headless) opens the report of a run with charts
# (pubsub_fanout: a topic, three groups, four charts) and its screenshot must show a rendered
# page, not a blank one.
#   bash tests/report_screenshot.sh DESSA ROOT
# tests/plots.sh runs it where Chromium is installed; CI installs Chromium while the test suite
# runs and calls it on its own afterwards (.ci/run, DESSA_TEST_SCREENSHOT=later).
. "$2/tests/lib/common.sh" "$@"
. "$2/tests/lib/charts.sh"
chrome=$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)
if [ -z "$chrome" ] || ! has_gnuplot; then
    echo "SKIP report screenshot: needs Chromium and gnuplot (apt-get install chromium gnuplot-nox)"
    exit 0
fi
"$dessa" run scenarios/pubsub_fanout.lua -q -o "$tmp/fan"
check "run pubsub_fanout" $?
"$dessa" report "$tmp/fan" -q
check "report pubsub_fanout" $?
start=$(date +%s.%N)
timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size=1000,2400 --screenshot="$tmp/shot.png" "file://$tmp/fan/report.html" >/dev/null 2>&1
check "chromium screenshot of the report" $?
png "$tmp/shot.png"; check "the screenshot is a PNG" $?
# A blank page compresses to a few kB; tables and four charts do not.
[ "$(wc -c < "$tmp/shot.png" 2>/dev/null || echo 0)" -gt 60000 ]
st=$?; check "the page rendered ($(wc -c < "$tmp/shot.png" 2>/dev/null) bytes of screenshot)" $st
echo "timing: chromium screenshot: $(echo "$(date +%s.%N) - $start" | bc) s"
finish 5
