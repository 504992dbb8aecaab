#!/usr/bin/env bash
# Runs dessa and SimPy side by side on the same two models, alternating, and prints the speed of
# each and their ratio: the M/M/1 benchmark (bench/mm1.lua against bench/simpy_mm1.py) and the
# synchronous chain, a front pool of 4 threads held across a call to a back service
# (bench/chain.lua against bench/simpy_chain.py). Times are CPU seconds (user + system) of the
# whole program, so the ratio holds on a loaded machine. Each round runs, per model, SimPy on
# CUSTOMERS, dessa on CUSTOMERS (the same count: the whole-program ratio) and dessa on 20 times
# CUSTOMERS (its speed once its fixed cost, loading the scenario and writing the CSV files, is
# spread: the per-customer ratio); the fixed cost is estimated from the two dessa runs. Every
# run's mean response time is printed next to the theory's, to show both sides simulate the same
# model (round r runs both with seed r). Needs SimPy for $PYTHON (default /usr/bin/python3;
# Debian: python3-simpy3); without it, says so and succeeds.
# Usage: bench/simpy.sh [BUILD_DIR] [CUSTOMERS] [ROUNDS]
set -euo pipefail
build=${1:-build}
customers=${2:-200000}
rounds=${3:-3}
python=${PYTHON:-/usr/bin/python3}
scale=20
root=$(cd "$(dirname "$0")/.." && pwd)
if ! "$python" -c 'import simpy' 2>/dev/null; then
    echo "bench/simpy.sh: $python has no simpy module (Debian: apt install python3-simpy3); skipped"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# cpu COMMAND...: runs it and prints its CPU seconds (user + system); its output goes to $tmp/log.
cpu() {
    local TIMEFORMAT='%U %S'
    { time "$@" >"$tmp/log"; } 2>"$tmp/time"
    awk '{ printf "%.3f", $1 + $2 }' "$tmp/time"
}
# column NAME: the named column of the first data row of $tmp/out/flows.csv.
column() {
    awk -F, -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == c) k = i } NR == 2 { print $k }' \
        "$tmp/out/flows.csv"
}
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.0f", n / s }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
dessa() {
    rm -rf "$tmp/out"
    cpu "$build/dessa" run "$root/bench/$1.lua" -q -o "$tmp/out" --seed "$3" --set customers="$2"
}
chain_theory=$("$python" "$root/bench/chain_theory.py" | sed 's/response_mean=\([0-9.]*\).*/\1/')
declare -A theory=([mm1]=10 [chain]=$chain_theory)
python_s=$(cpu "$python" -c 'import simpy')
printf 'SimPy: %s, %s; its fixed cost (starting Python and importing simpy): %s CPU s\n' \
    "$("$python" -c 'import simpy; print("SimPy", simpy.__version__)')" "$("$python" --version)" "$python_s"
for r in $(seq "$rounds"); do
    for model in mm1 chain; do
        simpy_s=$(cpu "$python" "$root/bench/simpy_$model.py" "$customers" "$r")
        simpy_mean=$(sed 's/.*response_mean=\([0-9.]*\).*/\1/' "$tmp/log")
        dessa_s=$(dessa "$model" "$customers" "$r")
        dessa_mean=$(column latency_mean)
        big_s=$(dessa "$model" $((customers * scale)) "$r")
        big_mean=$(column latency_mean)
        fixed=$(awk -v a="$dessa_s" -v b="$big_s" -v k="$scale" 'BEGIN { f = (k * a - b) / (k - 1); printf "%.3f", f < 0 ? 0 : f }')
        same=$(ratio "$simpy_s" "$dessa_s")
        per=$(ratio "$(rate "$((customers * scale))" "$big_s")" "$(rate "$customers" "$simpy_s")")
        echo "$same" >>"$tmp/$model.same"
        echo "$per" >>"$tmp/$model.per"
        printf '%-5s round %d: SimPy %.3f s (%s customers/s, mean %.3f)   dessa %.3f s (%s/s, mean %.3f)   dessa x%d %.3f s (%s/s, mean %.3f, fixed cost ~%s s)   ratio %s same count, %s per customer   (theory: mean %s)\n' \
            "$model" "$r" "$simpy_s" "$(rate "$customers" "$simpy_s")" "$simpy_mean" \
            "$dessa_s" "$(rate "$customers" "$dessa_s")" "$dessa_mean" \
            "$scale" "$big_s" "$(rate "$((customers * scale))" "$big_s")" "$big_mean" "$fixed" \
            "$same" "$per" "${theory[$model]}"
    done
done
for model in mm1 chain; do
    printf '%-5s median ratio over %d rounds (SimPy CPU time / dessa CPU time): %s on %d customers (whole programs), %s per customer (dessa on %d)\n' \
        "$model" "$rounds" "$(median <"$tmp/$model.same")" "$customers" "$(median <"$tmp/$model.per")" "$((customers * scale))"
done
