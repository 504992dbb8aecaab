# Shared by the chart tests (tests/plots.sh, tests/plots_sweep.sh): sourced after common.sh.

has_gnuplot() { command -v gnuplot >/dev/null 2>&1; }

# png FILE: a PNG signature and an IHDR of sensible size (400..4000 x 300..4000 pixels), > 5 kB.
png() {
    local sig w h
    sig=$(head -c 8 "$1" | od -An -tx1 | tr -d ' \n')
    [ "$sig" = 89504e470d0a1a0a ] || { echo "  $1: not a PNG ($sig)"; return 1; }
    [ "$(head -c 16 "$1" | tail -c 4)" = IHDR ] || { echo "  $1: no IHDR"; return 1; }
    w=$((16#$(head -c 20 "$1" | tail -c 4 | od -An -tx1 | tr -d ' \n')))
    h=$((16#$(head -c 24 "$1" | tail -c 4 | od -An -tx1 | tr -d ' \n')))
    [ "$w" -ge 400 ] && [ "$w" -le 4000 ] && [ "$h" -ge 300 ] && [ "$h" -le 4000 ] ||
        { echo "  $1: ${w}x$h"; return 1; }
    [ "$(wc -c < "$1")" -gt 5000 ] || { echo "  $1: only $(wc -c < "$1") bytes"; return 1; }
}

# svg FILE: well-formed XML whose root is <svg>, > 5 kB, with some drawing in it.
svg() {
    [ "$(wc -c < "$1")" -gt 5000 ] || { echo "  $1: only $(wc -c < "$1") bytes"; return 1; }
    grep -q '<path' "$1" || { echo "  $1: nothing drawn"; return 1; }
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot()
sys.exit(0 if r.tag.endswith("svg") else 1)' "$1" || { echo "  $1: not SVG XML"; return 1; }
    else
        grep -q '<svg' "$1" && tail -c 100 "$1" | grep -q '</svg>'
    fi
}

# no_leftovers DIR: no temporary file of dessa plot or dessa report is left in DIR.
no_leftovers() { ! ls -a "$1" | grep -q 'tmp-\|report-'; }

# balanced_html FILE: every tag the page opens is closed, in order (python3).
balanced_html() {
    python3 - "$1" <<'PY'
import sys, html.parser
class P(html.parser.HTMLParser):
    def __init__(s): super().__init__(); s.stack = []
    def handle_starttag(s, t, a):
        if t not in ("meta", "br", "path", "use", "rect", "circle", "line", "polygon", "image"): s.stack.append(t)
    def handle_endtag(s, t):
        if t in ("path", "use", "rect", "circle", "line", "polygon", "image"): return
        if not s.stack or s.stack[-1] != t: sys.exit("unbalanced </%s>, open: %s" % (t, s.stack[-3:]))
        s.stack.pop()
p = P(); p.feed(open(sys.argv[1]).read())
sys.exit(0 if not p.stack else "unclosed: %s" % p.stack)
PY
}
