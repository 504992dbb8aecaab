#!/usr/bin/env bash
# make docs: redraws every chart the documentation shows. An image docs/img/SCENARIO-CHART.png
# named in docs/*.md is drawn by `dessa plot` (plots/CHART.gp) from a run of
# scenarios/SCENARIO.lua with its default parameters, seed 1 and 3 replications; an image
# docs/img/SCENARIO-sweep-CHART.png from the scenario's own sweep (dessa sweep, then dessa plot;
# CHART metric-Y is drawn with --y Y). Nothing in docs/img/ is drawn by hand; a scenario without
# a chart in docs/scenarios.md is reported.
#   bash plots/docs.sh [path/to/dessa]
set -euo pipefail
cd "$(dirname "$0")/.."
dessa=${1:-build/dessa}
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT
mkdir -p docs/img
images=$(grep -oh 'img/[A-Za-z0-9_.-]*-\(timeseries\|latency_cdf\|flows\|services\)\.png' docs/*.md |
         sort -u)
for img in $images; do
    base=$(basename "$img" .png)
    scenario=${base%-*} chart=${base##*-}
    if [ ! -f "scenarios/$scenario.lua" ]; then
        echo "docs/$img: there is no scenarios/$scenario.lua" >&2
        exit 1
    fi
    if [ ! -d "$runs/$scenario" ]; then
        "$dessa" run "scenarios/$scenario.lua" -q --reps 3 -j 2 -o "$runs/$scenario"
        "$dessa" plot "$runs/$scenario" -q
    fi
    cp "$runs/$scenario/$chart.png" "docs/$img"
    echo "docs/$img"
done
sweeps=$(grep -oh 'img/[A-Za-z0-9_]*-sweep-[A-Za-z0-9_.-]*\.png' docs/*.md | sort -u)
for img in $sweeps; do
    base=$(basename "$img" .png)
    scenario=${base%%-sweep-*} chart=${base#*-sweep-}
    if [ ! -f "scenarios/$scenario.lua" ]; then
        echo "docs/$img: there is no scenarios/$scenario.lua" >&2
        exit 1
    fi
    if [ ! -d "$runs/$scenario-sweep" ]; then
        "$dessa" sweep "scenarios/$scenario.lua" -q -j 2 -o "$runs/$scenario-sweep"
        "$dessa" plot "$runs/$scenario-sweep" -q
    fi
    case $chart in
        metric-*) [ -f "$runs/$scenario-sweep/$chart.png" ] ||
                      "$dessa" plot "$runs/$scenario-sweep" -q --y "${chart#metric-}" ;;
    esac
    cp "$runs/$scenario-sweep/$chart.png" "docs/$img"
    echo "docs/$img"
done
for f in scenarios/*.lua; do
    s=$(basename "$f" .lua)
    grep -q "img/$s-" docs/scenarios.md || echo "note: $f has no chart in docs/scenarios.md" >&2
done
