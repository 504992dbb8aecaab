# dessa.gp — what every chart shares: the variables it reads, the output file, the look, and the
# helpers that read dessa's CSV files (comma-separated, one header row, columns found by name).
#
# Each chart script loads this file first. Variables, given with gnuplot -e "name=value;...":
#   dir      the results directory of a run (required)
#   fmt      'png' (default) or 'svg'
#   out      the file to write (default: dir/CHART.fmt)
#   rep      -1 (default): the mean across replications at each point; N: replication N only
#   caption  the line under the chart (default: built from dir/run.json)
#   warmup   seconds shaded as the warm-up in time series (default: read from dir/run.json)
#   shade    more intervals to shade, "start end label;start end label;..." (failures, outages)
#   width, height   in pixels (each chart has its own default)
# Sweep charts (latency_load.gp, metric.gp; dir is a sweep's directory) also read:
#   x, by    the swept params on the x axis and one line per value (default: the first numeric
#            param and the next one); y (metric.gp) a metric; params, the swept params
# `dessa plot DIR` sets them all; run standalone, a chart needs only dir.
if (!exists("dir")) {
    print "usage: gnuplot -e \"dir='out/NAME'\" plots/CHART.gp   (dir: a results directory of dessa run or sweep)"
    exit status 2
}
dessa_loaded = 1
if (!exists("fmt")) fmt = 'png'
if (!exists("rep")) rep = -1
if (!exists("shade")) shade = ''

set datafile separator comma
set datafile missing NaN
set key autotitle columnheader
set termoption noenhanced

# --- run.json, when run standalone (dessa plot passes caption and warmup) ----------------------
# A small reader for the few keys the captions use: the text of "key": value up to the comma.
json_text = ''
if (!exists("caption") || !exists("warmup")) {
    json_text = system("cat '" . dir . "/run.json' 2>/dev/null")
}
# The value after "key": (a number, a "string" without its quotes, or an {object} as a b=c list).
json_after(key) = (json_i = strstrt(json_text, '"' . key . '": '), \
    json_i == 0 ? '' : json_val(json_text[json_i + strlen(key) + 4:]))
json_val(s) = s[1:1] eq '"' ? s[2:strstrt(s[2:], '"')] : \
    s[1:1] eq '{' ? json_obj(s[2:strstrt(s, '}') - 1]) : s[1:strstrt(s, ',') - 1]
json_obj(s) = str_replace(str_replace(str_replace(s, '": "', '='), '"', ''), ', ', ' ')
str_replace(s, a, b) = (sr_i = strstrt(s, a)) == 0 ? s : \
    s[1:sr_i - 1] . b . str_replace(s[sr_i + strlen(a):], a, b)
if (!exists("warmup")) {
    warmup = json_after('warmup') eq '' ? 0 : real(json_after('warmup'))
}
if (!exists("caption")) {
    json_reps = json_after('reps')
    caption = json_text eq '' ? dir : sprintf('%s  |  %s  |  seed %s  |  %s  |  dessa %s', \
        json_after('scenario'), json_after('params') eq '' ? 'no parameters' : json_after('params'), \
        json_after('seed'), rep >= 0 ? sprintf('replication %d of %s', rep, json_reps) : \
        json_reps eq '1' ? '1 replication' : json_reps . ' replications', \
        json_after('version'))
}

# --- output ---------------------------------------------------------------------------------------
# dessa_output(chart, width, height): the terminal and the output file.
font = 'DejaVu Sans,10'
dessa_w(w) = exists("width") ? width : w
dessa_h(h) = exists("height") ? height : h
dessa_out(chart) = exists("out") ? out : dir . '/' . chart . '.' . fmt
dessa_term_png = 'set terminal pngcairo noenhanced size %d,%d font "%s" linewidth 1.2 background "white"'
dessa_term_svg = 'set terminal svg noenhanced size %d,%d font "%s" linewidth 1.2 background "white"'
dessa_term = fmt eq 'png' ? dessa_term_png : dessa_term_svg
if (fmt ne 'png' && fmt ne 'svg') {
    print "fmt must be 'png' or 'svg', not '" . fmt . "'"
    exit status 2
}

# --- the look -------------------------------------------------------------------------------------
# Eight colours that stay distinct for colour-blind readers (Okabe and Ito), in a fixed order:
# the i-th flow or service of a run has the same colour in every chart.
set linetype 1 lc rgb "#0072B2" lw 1.6 pt 7 ps 0.6
set linetype 2 lc rgb "#D55E00" lw 1.6 pt 5 ps 0.6
set linetype 3 lc rgb "#009E73" lw 1.6 pt 9 ps 0.6
set linetype 4 lc rgb "#CC79A7" lw 1.6 pt 11 ps 0.6
set linetype 5 lc rgb "#E69F00" lw 1.6 pt 13 ps 0.6
set linetype 6 lc rgb "#56B4E9" lw 1.6 pt 15 ps 0.6
set linetype 7 lc rgb "#000000" lw 1.6 pt 3 ps 0.6
set linetype 8 lc rgb "#F0E442" lw 1.6 pt 1 ps 0.6
set linetype cycle 8
c_work = "#0072B2"; c_block = "#D55E00"; c_idle = "#DDDDDD"; c_cpu = "#009E73"
c_shade = "#EEEEEE"; c_text = "#555555"
invisible = "#FFFFFFFF"      # fully transparent: keeps a panel valid when it has no data
set border 3 lc rgb "#444444"
set tics nomirror out scale 0.6 textcolor rgb "#333333"
set grid ytics lc rgb "#E4E4E4" lw 1 dt 1
set key top right Left reverse textcolor rgb "#222222" samplen 2 spacing 1.1 noautotitle
set style fill solid 1.0 noborder

# The caption, small and grey, at the bottom left of the page.
dessa_caption = 'set label 901 caption at screen 0.01, screen 0.015 left font ",8" tc rgb c_text front noenhanced'

# --- reading the CSV files ------------------------------------------------------------------------
# A row counts when it belongs to the chosen replication (every row when rep < 0). Called with
# column("rep"): false for the header row, which stats reads as data.
sel(r) = r >= 0 && (rep < 0 || int(r) == rep)
# add_name(s) adds s to names_acc, the distinct values of a text column in order of first
# appearance, separated by spaces (names are letters, digits, _ . -).
names_acc = ''
add_name(s) = strstrt(' ' . names_acc . ' ', ' ' . s . ' ') == 0 ? \
    (names_acc = names_acc . (names_acc eq '' ? '' : ' ') . s, 1) : 0
# Use: names_acc = ''; stats FILE using (sel(column("rep")) ? add_name(strcol("flow")) : 0) nooutput
ms(x) = 1000.0 * x
# mean_of(EXPR): eval it to set stat_v to the mean of EXPR over the rows of file f (NaN rows are
# skipped; NaN when none is left). EXPR is text, e.g. 'is("web") ? column("queue") : NaN'.
mean_of(expr) = sprintf('undefine STATS_*; stats f using (%s) nooutput; ' . \
    'stat_v = exists("STATS_mean") ? STATS_mean : NaN', expr)

# --- sweeps (dessa sweep: sweep_summary.csv, sweep.json) -------------------------------------------
# eval sweep_setup: sw_f is DIR/sweep_summary.csv; sw_params the swept params, space-separated
# (dessa plot passes params; standalone, the columns between point and metric of the header);
# x, by default to the first numeric param and the first other one (by = '' for one line); sw_x
# is x for plot commands, where x is gnuplot's dummy variable;
# sw_heldp and sw_heldv: every other param, held at its value in point 0;
# sw_byvals the values of by in order of first appearance; the caption from sweep.json.
sweep_setup = 'sw_f = dir . "/sweep_summary.csv"; ' . \
    'if (!exists("params")) { sw_h = system("head -1 ''" . sw_f . "'' 2>/dev/null"); ' . \
    '  params = strstrt(sw_h, ",metric,") > 7 ? str_replace(sw_h[7:strstrt(sw_h, ",metric,") - 1], ",", " ") : "" }; ' . \
    'sw_params = params; ' . \
    'if (!exists("x") || x eq "") { x = ""; do for [sw_i = 1:words(sw_params)] { ' . \
    '  if (x eq "") { sw_n = 0; stats sw_f using (column("point") >= 0 && column(word(sw_params, sw_i)) == column(word(sw_params, sw_i)) ? sw_n = sw_n + 1 : 0) nooutput; ' . \
    '    if (sw_n > 0) { x = word(sw_params, sw_i) } } } }; ' . \
    'if (x eq "") { print "no numeric swept parameter in " . sw_f . " to put on the x axis"; exit status 1 }; ' . \
    'if (!exists("by")) { by = ""; do for [sw_i = 1:words(sw_params)] { ' . \
    '  if (by eq "" && word(sw_params, sw_i) ne x) { by = word(sw_params, sw_i) } } }; ' . \
    'sw_x = x; sw_heldp = ""; sw_heldv = ""; sw_heldtext = ""; do for [sw_i = 1:words(sw_params)] { sw_p = word(sw_params, sw_i); ' . \
    '  if (sw_p ne x && sw_p ne by) { names_acc = ""; stats sw_f using (column("point") == 0 ? add_name(strcol(sw_p)) : 0) nooutput; ' . \
    '    sw_heldp = sw_heldp . " " . sw_p; sw_heldv = sw_heldv . " " . word(names_acc, 1); ' . \
    '    sw_heldtext = sw_heldtext . sprintf(" %s=%s", sw_p, word(names_acc, 1)) } }; ' . \
    'names_acc = ""; if (by ne "") { stats sw_f using (column("point") >= 0 ? add_name(strcol(by)) : 0) nooutput }; ' . \
    'sw_byvals = by eq "" ? "-" : names_acc; ' . \
    'if (caption eq dir) { json_text = system("cat ''" . dir . "/sweep.json'' 2>/dev/null"); ' . \
    '  caption = json_text eq "" ? dir : sprintf("%s  |  sweep of %s  |  seed %s  |  %s replications per point", ' . \
    '    json_after("scenario"), sw_params, json_after("seed"), json_after("reps")) }'
# Whether the current row is a point (not the header) of line k (a value of by), with the other
# params at their held values.
sw_held(i) = i > words(sw_heldp) ? 1 : strcol(word(sw_heldp, i)) eq word(sw_heldv, i) && sw_held(i + 1)
sw_line(k) = column("point") >= 0 && (by eq '' || strcol(by) eq word(sw_byvals, k)) && sw_held(1)
sw_linetitle(k) = by eq '' ? '' : by . '=' . word(sw_byvals, k)
# Whether s ends with t; the part of a metric name after its entity (ENTITY.METRIC).
ends_with(s, t) = strlen(s) > strlen(t) && s[strlen(s) - strlen(t) + 1:] eq t
metric_of(m) = (mo_i = strstrt(m, '.')) == 0 ? m : metric_of(m[mo_i + 1:])
# Scale and unit of a metric: times in ms, rates per second, shares and counts as they are.
is_time(m) = m[1:7] eq 'latency' || m[1:10] eq 'completion' || m[1:4] eq 'wait' || \
    m[1:9] eq 'residence'
unit_scale(m) = is_time(m) ? 1000.0 : 1.0
unit_name(m) = is_time(m) ? 'ms' : m eq 'throughput' ? 'per second' : \
    m[1:7] eq 'threads' ? 'time-average' : m[1:5] eq 'queue' ? 'requests' : \
    strstrt(m, 'utilization') ? 'share' : m eq 'cores_busy' ? 'cores' : 'count'
# The half-width as a number (empty with one replication: no error bar).
hw_or_0(v) = v == v ? v : 0
