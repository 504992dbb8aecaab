#!/usr/bin/env bash
# Hostile scenarios: every tests/hostile/*.lua attacks dessa one way (its first line says how).
# Each is run through `dessa check` and `dessa run --reps 2` under a time limit and a memory cap,
# and the properties that must hold for any input are asserted, whatever the wording:
#   - the process ends by itself within the CPU limit and is not killed by a signal;
#   - the exit status is 0 or 1, and no sanitizer reports anything;
#   - on exit 1 the first line of stderr (after the scenario's own [scenario] prints) is located,
#     `SCENARIO:LINE: ...`, `SCENARIO: ...`, `[string "..."]:LINE: ...` (a chunk the scenario
#     loaded) or `dessa: ...`; it is at most 1024 bytes, valid UTF-8, without control
#     characters; and `run` left no output directory behind;
#   - on exit 0 from `run` the five result files exist and no temporary file is left;
#   - no line of /etc/passwd appears on stdout, stderr or in a result file.
# Header lines at the top of a case tighten the checks:
#   -- expect: exit N            both commands must exit with N (expect-check:/expect-run: for one)
#   -- expect-match: REGEX       the message of a failing command (its first stderr line without the
#                                location) matches REGEX (ERE)
#   -- forbid: REGEX             never on stdout, stderr or in any result file (leaked content)
#   -- expect-csv: FILE COL OP N every data row of FILE has COL OP N (OP: < <= > >= ==)
#   -- expect-json: FILE         FILE is valid JSON
#   -- expect-same: [ARGS]       a second run with ARGS gives byte-identical CSV files
#   -- set: NAME=VALUE           passed to both commands as --set
#   -- must: TEXT                what dessa must do, in words (for the README; not checked)
#   -- cpu: N                    this case's CPU seconds per command (for cases that end only at
#                                the scenario's wall-clock guard; doubled when sanitized)
#   -- load-seconds: N           the scenario's wall-clock limit on its load (DESSA_LOAD_SECONDS),
#                                for cases that test that guard: they need not spin for 10 s
# Cases listed in tests/hostile/KNOWN_FAILURES (file name, then the reason) are reported as
# XFAIL and not counted; a listed case that passes is reported as XPASS so that the list is pruned
# (HOSTILE_STRICT=1 counts an XPASS as a failure).
# Knobs: HOSTILE_TIMEOUT (CPU seconds per command, default 4, 20 for a sanitizer build),
# HOSTILE_MEM_MB (address-space cap per command, default 4096),
# HOSTILE_JOBS (cases at once, default 2), HOSTILE_ONLY (a glob of case names),
# HOSTILE_TABLE (write a markdown table of today's results to this file), HOSTILE_SKIP_KNOWN=1
# (do not run the listed known failures: for a second build, such as the sanitizer one in CI).
. "$2/tests/lib/common.sh" "$@"

export HOSTILE_MEM_MB=${HOSTILE_MEM_MB:-4096}
jobs=${HOSTILE_JOBS:-2}
export dessa tmp
# A sanitizer build reserves terabytes of address space, so ulimit -v cannot cap it; the
# sanitizer's own soft limit makes allocations fail instead.
export HOSTILE_SANITIZED=0
if ldd "$dessa" 2>/dev/null | grep -q 'libasan\|libclang_rt.asan' ||
   nm "$dessa" 2>/dev/null | grep -q '__asan_init'; then
    HOSTILE_SANITIZED=1
    export ASAN_OPTIONS="allocator_may_return_null=1:soft_rss_limit_mb=$HOSTILE_MEM_MB:detect_leaks=1:exitcode=99"
    export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:exitcode=98"
fi
# The limit is on CPU time (ulimit -t), so a loaded machine does not turn a slow case into a
# hang; a wall-clock limit of six times as much catches processes that block. A sanitizer build
# runs 10 to 30 times slower, by how much depends on the machine (the zero-time livelocks, 10^7
# events before the stall guard stops them, take 4 s here and more than 8 s on a slower one);
# the limit costs only a case that hangs, and the known hangs are not run on that build.
export HOSTILE_TIMEOUT=${HOSTILE_TIMEOUT:-$((HOSTILE_SANITIZED ? 20 : 4))}

# read_header FILE: loads the `-- KEY: value` lines at the top of FILE into the array hdr.
read_header() {
    local line k
    hdr=()
    while IFS= read -r line || [ -n "$line" ]; do
        line=${line#$'\xef\xbb\xbf'}
        line=${line%$'\r'}
        [[ $line == --* ]] || break
        line=${line#--}
        line=${line# }
        [[ $line =~ ^([a-z-]+):\ ?(.*)$ ]] || continue
        k=${BASH_REMATCH[1]}
        [ -n "${hdr[$k]+x}" ] || hdr[$k]=${BASH_REMATCH[2]}
    done <"$1"
}

# header KEY: the value of KEY in hdr (status 1 if absent).
header() { [ -n "${hdr[$1]+x}" ] && printf '%s\n' "${hdr[$1]}"; }

# invoke KIND ARGS...: runs dessa with the limits; sets rc, secs and the files $w/KIND.{out,err}.
invoke() {
    local kind=$1; shift
    local t0 t1
    t0=${EPOCHREALTIME/./}
    # The outer braces keep bash's own "Segmentation fault" notice out of the log.
    {
        (
            [ "$HOSTILE_SANITIZED" = 1 ] || ulimit -v $((HOSTILE_MEM_MB * 1024))
            ulimit -S -t "$limit"
            [ -z "$load_seconds" ] || export DESSA_LOAD_SECONDS=$load_seconds
            exec timeout -k 2 $((limit * 6)) "$dessa" "$@" </dev/null
        ) >"$w/$kind.out" 2>"$w/$kind.err"
    } 2>/dev/null
    rc=$?
    t1=${EPOCHREALTIME/./}
    secs=$(( (t1 - t0) / 1000000 )).$(printf '%02d' $(( (t1 - t0) / 10000 % 100 )))
}

# first_line FILE: the first stderr line that is not the scenario's own print output.
first_line() { grep -a -v -m1 '^\[scenario\] ' "$1" | head -c 4096; }

# one_case FILE: runs one case and writes $tmp/res/NAME (fields separated by tabs):
# verdict, category, reasons, check exit, check time, run exit, run time, first line.
one_case() {
    local f=$1 name w rc secs reasons=() cat="" sets=() forbid
    name=$(basename "$f")
    w="$tmp/w/$name"
    mkdir -p "$w"
    local -A hdr=()
    read_header "$f"
    [ -n "${hdr[set]+x}" ] && sets=(--set "${hdr[set]}")
    forbid=${hdr[forbid]:-}
    local exp_all=${hdr[expect]:-} exp_check=${hdr[expect-check]:-} exp_run=${hdr[expect-run]:-}
    local exp_match=${hdr[expect-match]:-}
    local limit=$HOSTILE_TIMEOUT   # read by invoke
    local load_seconds=${hdr[load-seconds]:-}   # likewise
    [ -n "${hdr[cpu]:-}" ] && limit=$(( hdr[cpu] * (HOSTILE_SANITIZED ? 2 : 1) ))
    exp_all=${exp_all#exit } exp_check=${exp_check#exit } exp_run=${exp_run#exit }
    : "${exp_check:=$exp_all}" "${exp_run:=$exp_all}"

    # add CATEGORY REASON: records a failed property; the first category wins for the table.
    add() { [ -n "$cat" ] || cat=$1; reasons+=("$2"); }

    # judge KIND EXPECTED OUTDIR: the properties every command must have.
    judge() {
        local kind=$1 expected=$2 outdir=$3 first
        first=$(first_line "$w/$kind.err")
        if [ "$rc" -eq 152 ]; then
            add hang "$kind: no end within ${limit} s of CPU (SIGXCPU)"; return
        fi
        if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
            add hang "$kind: no end within $((limit * 6)) s (killed)"; return
        fi
        if grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error:' "$w/$kind.err"; then
            add crash "$kind: sanitizer report: $(grep -m1 'ERROR\|runtime error' "$w/$kind.err" | head -c 200)"
        fi
        if [ "$rc" -gt 128 ]; then
            add crash "$kind: killed by signal $((rc - 128))"; return
        fi
        if [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ]; then
            add other "$kind: exit $rc (only 0 and 1 are allowed)"; return
        fi
        if [ -n "$expected" ] && [ "$rc" -ne "$expected" ]; then
            add other "$kind: exit $rc, expected $expected"
        fi
        if [ "$rc" -eq 1 ]; then
            local rest=""
            case "$first" in
                "$f:"*) rest=${first#"$f:"} ;;
            esac
            if ! { [ -n "$first" ] && { [[ $rest =~ ^[0-9]+:\  ]] || [[ $rest =~ ^\  ]] ||
                    [[ $first =~ ^dessa:\  ]] || [[ $first =~ ^\[string\ \"[^\"]*\"\]:[0-9]+:\  ]]; }; }; then
                add unlocated "$kind: first line not located: $(printf '%s' "$first" | head -c 120)"
            fi
            if [ "${#first}" -gt 1024 ]; then add other "$kind: first line is ${#first} bytes long"; fi
            if printf '%s' "$first" | tr -d '\t' | LC_ALL=C grep -q '[[:cntrl:]]'; then
                add other "$kind: control characters in the message"
            elif ! printf '%s' "$first" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1; then
                add other "$kind: the message is not valid UTF-8"
            fi
            # The regex is matched against the message, without the location (the file's own
            # name would match words of the message).
            local msg=$first
            [ -z "$rest" ] || msg=$(printf '%s' "$rest" | sed -E 's/^[0-9]*:? //')
            if [ -n "$exp_match" ] && ! printf '%s\n' "$msg" | grep -Eq -- "$exp_match"; then
                add other "$kind: message does not match /$exp_match/"
            fi
            if [ -n "$outdir" ] && [ -e "$outdir" ]; then add other "$kind: failed but left $outdir behind"; fi
        fi
        # A line of /etc/passwd must never come out, whatever the case; each case may forbid more.
        # run.json's copy of the scenario file (its scenario_text line) is the case's own text,
        # forbid comment included, not a leak.
        local re
        for re in 'root:[^:]*:0:0:' ${forbid:+"$forbid"}; do
            if LC_ALL=C grep -Eqa -- "$re" "$w/$kind.out" "$w/$kind.err" ||
               { [ -n "$outdir" ] && [ -d "$outdir" ] &&
                 { LC_ALL=C grep -Eqra --exclude=run.json -- "$re" "$outdir" ||
                   { [ -f "$outdir/run.json" ] && grep -av '^  "scenario_text": ' "$outdir/run.json" |
                     LC_ALL=C grep -Eqa -- "$re"; }; }; }; then
                add leak "$kind: output contains /$re/"
            fi
        done
    }

    invoke check check "$f" "${sets[@]}"
    local check_rc=$rc check_secs=$secs run_rc=- run_secs=-
    judge check "$exp_check" ""
    local first
    first=$(first_line "$w/check.err")
    if [ "$check_rc" -eq 124 ] || [ "$check_rc" -eq 137 ] || [ "$check_rc" -eq 152 ]; then
        reasons+=("run: skipped (check did not end)")
    else
        local out="$w/x"
        invoke run run "$f" "${sets[@]}" -q --reps 2 -o "$out"
        run_rc=$rc run_secs=$secs
        judge run "$exp_run" "$out"
        [ "$check_rc" -eq 1 ] || first=$(first_line "$w/run.err")
        if [ "$rc" -eq 0 ]; then
            local r
            for r in flows.csv services.csv replicas.csv endpoints.csv timeseries.csv latency.csv run.json; do
                [ -s "$out/$r" ] || add other "run: exit 0 but $r is missing"
            done
            if ls -a "$out" | grep -q '\.tmp'; then add other "run: temporary files left in the output"; fi
            local spec
            if spec=$(header expect-csv); then
                local file col op val
                read -r file col op val <<<"$spec"
                if ! awk -F, -v col="$col" -v op="$op" -v val="$val" '
                        NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; if (!c) exit 2; next }
                        { x = $c + 0
                          ok = (op == "<" && x < val) || (op == "<=" && x <= val) || (op == ">" && x > val) ||
                               (op == ">=" && x >= val) || (op == "==" && x == val)
                          if (!ok) { print "row " NR ": " col " = " $c; bad = 1 } }
                        END { exit bad }' "$out/$file" >"$w/csv.txt"; then
                    add other "run: $file: not every row has $col $op $val ($(head -1 "$w/csv.txt"))"
                fi
            fi
            if spec=$(header expect-json); then
                jq -e . "$out/$spec" >/dev/null 2>&1 || add other "run: $spec is not valid JSON"
            fi
            if spec=$(header expect-same); then
                local -a more=()
                read -r -a more <<<"$spec"
                invoke same run "$f" "${sets[@]}" -q --reps 2 -o "$w/y" "${more[@]}"
                if [ "$rc" -ne 0 ]; then
                    add other "run again${spec:+ with $spec}: exit $rc"
                else
                    for r in flows.csv services.csv replicas.csv endpoints.csv timeseries.csv latency.csv; do
                        cmp -s "$out/$r" "$w/y/$r" || add other "run again${spec:+ with $spec}: $r differs"
                    done
                fi
            fi
        fi
    fi
    local verdict=PASS
    [ "${#reasons[@]}" -gt 0 ] && [ -n "$cat" ] && verdict=FAIL
    [ -n "$cat" ] || cat=pass
    local IFS='; '
    # Tabs separate the fields; an empty field is written as "-" (read would merge two tabs).
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$verdict" "$cat" "${reasons[*]:--}" "$check_rc" "$check_secs" \
        "$run_rc" "$run_secs" "$(printf '%s' "${first:--}" | tr -d '\000-\010\013-\037' | tr '\t' ' ' | head -c 160)" \
        >"$tmp/res/$name"
    rm -rf "$w"
}
export -f read_header header invoke first_line one_case

declare -A known=()
if [ -f tests/hostile/KNOWN_FAILURES ]; then
    while read -r k why; do
        case "$k" in ''|'#'*) continue ;; esac
        known[$k]=$why
    done < tests/hostile/KNOWN_FAILURES
fi

mkdir -p "$tmp/res" "$tmp/w"
cases=() skipped=0
for f in tests/hostile/*.lua; do
    name=$(basename "$f")
    # shellcheck disable=SC2053
    [[ $name == ${HOSTILE_ONLY:-*} ]] || continue
    if [ "${HOSTILE_SKIP_KNOWN:-0}" = 1 ] && [ -n "${known[$name]+x}" ]; then
        skipped=$((skipped + 1))
        continue
    fi
    cases+=("$f")
done
printf '%s\0' "${cases[@]}" | xargs -0 -n 1 -P "$jobs" bash -c 'one_case "$1"' _


xfail=0 xpass=0
table=${HOSTILE_TABLE:-}
[ -z "$table" ] || printf '| case | attacks | today | check: exit, s | run: exit, s | first line of stderr today | must |\n|---|---|---|---|---|---|---|\n' >"$table"
declare -A hdr=()
for f in "${cases[@]}"; do
    name=$(basename "$f")
    if [ ! -f "$tmp/res/$name" ]; then
        echo "FAIL $name: no result (the case runner died)"; fail=$((fail + 1)); continue
    fi
    IFS=$'\t' read -r verdict cat reasons crc csecs rrc rsecs first <"$tmp/res/$name"
    if [ -n "$table" ]; then
        read_header "$f"
        must=${hdr[must]:-}
        if [ -z "$must" ]; then
            case "${hdr[expect]:-}" in
                "exit 1") must="exit 1, located message" ;;
                "exit 0") must="exit 0" ;;
                *) must="end within the limits: exit 0, or exit 1 with a located message" ;;
            esac
        fi
        cell() { printf '%s' "$1" | head -c "$2" | iconv -c -f UTF-8 -t UTF-8 | sed 's/|/\\|/g; s/`/'"'"'/g'; }
        printf '| %s | %s | %s | %s, %s | %s, %s | `%s` | %s |\n' "${name%.lua}" "$(cell "${hdr[attacks]:-}" 300)" \
            "$cat" "$crc" "$csecs" "$rrc" "$rsecs" "$(cell "${first#"$f"}" 110)" "$(cell "$must" 300)" >>"$table"
    fi
    if [ "$verdict" = PASS ]; then
        if [ -n "${known[$name]+x}" ]; then
            echo "XPASS $name: listed in tests/hostile/KNOWN_FAILURES but passes now -- remove it from the list"
            xpass=$((xpass + 1))
            [ "${HOSTILE_STRICT:-0}" = 1 ] && fail=$((fail + 1)) || pass=$((pass + 1))
        else
            pass=$((pass + 1))
        fi
    elif [ -n "${known[$name]+x}" ]; then
        echo "XFAIL $name [$cat]: $reasons"
        xfail=$((xfail + 1))
    else
        echo "FAIL $name [$cat]: $reasons"
        echo "  check: exit $crc in ${csecs}s; run: exit $rrc in ${rsecs}s; first line: $first"
        fail=$((fail + 1))
    fi
done
echo "${#cases[@]} cases: $xfail known failures (XFAIL), $xpass unexpected passes (XPASS)${HOSTILE_SKIP_KNOWN:+, $skipped known failures not run}"
[ "$xpass" -eq 0 ] || echo "*** $xpass XPASS: prune tests/hostile/KNOWN_FAILURES ***"
finish 1
