# latency_load.gp — response time against load from a sweep (sweep_summary.csv): for each flow,
# the p99, p50 and mean response time (means across replications) against the swept parameter x,
# one colour per value of the parameter by, with the 95% half-widths as error bars. Where a
# design saturates, its p99 turns up sharply: the "hockey stick". A point where nothing was
# answered has no latency and is absent. The y axis is logarithmic when the values span more
# than two decades. Other swept params are held at their value in point 0 (said in the title).
#   gnuplot -e "dir='out/sweep'" plots/latency_load.gp                 -> out/sweep/latency_load.png
#   gnuplot -e "dir='out/sweep'; x='rate'; by='mode'" plots/latency_load.gp
dessa_dir(p) = (dd_i = strstrt(p, '/')) == 0 ? '' : p[1:dd_i] . dessa_dir(p[dd_i + 1:])
if (!exists("dessa_loaded")) load dessa_dir(ARG0) . 'dessa.gp'
eval sweep_setup

# The flows: the entities with a latency_p99 metric.
names_acc = ''
stats sw_f using (column("point") >= 0 && ends_with(strcol("metric"), '.latency_p99') ? \
    add_name(strcol("metric")[1:strlen(strcol("metric")) - 12]) : 0) nooutput
flows = names_acc
nf = words(flows)
if (nf == 0) { print "no flow with a latency in " . sw_f; exit status 1 }
nl = words(sw_byvals)

stats_of = 'undefine STATS_*; stats sw_f using (%s) nooutput'
pcts = "latency_p99 latency_p50 latency_mean"
pct_title(p) = p == 1 ? 'p99' : p == 2 ? 'p50' : 'mean'
pct_dt(p) = p == 1 ? 1 : p == 2 ? 2 : 3

eval sprintf(dessa_term, dessa_w(900), dessa_h(120 + 330 * nf), font)
set output dessa_out('latency_load')
eval dessa_caption
set multiplot layout nf, 1 title sprintf("Response time against %s%s (mean across replications, " . \
    "95%% error bars)%s", x, by eq '' ? '' : ', by ' . by, \
    sw_heldtext eq '' ? '' : ',' . sw_heldtext) font ",13" margins 0.09, 0.76, 75.0 / dessa_h(120 + 330 * nf), 1 - 70.0 / dessa_h(120 + 330 * nf) spacing 0, 95.0 / dessa_h(120 + 330 * nf)
set xlabel x
set ylabel "response time (ms)"
set key outside right top Left reverse
set offsets graph 0.03, graph 0.03, 0, 0
do for [i = 1:nf] {
    fl = word(flows, i)
    is_fl(p) = sprintf('strcol("metric") eq "%s.%s"', fl, word(pcts, p))   # text, for stats
    # Log scale when the positive means span more than two decades.
    eval sprintf(stats_of, sprintf('column("point") >= 0 && (%s || %s || %s) && column("mean") > 0 ? column("mean") : NaN', \
        is_fl(1), is_fl(2), is_fl(3)))
    # (No answer at any point: an invisible line at 0 keeps the panel, axes and note valid.)
    has_data = exists("STATS_min")
    if (has_data && STATS_min > 0 && STATS_max / STATS_min > 100) {
        set logscale y; set yrange [*:*]
    } else {
        unset logscale y; set yrange [0:*]
    }
    # The points where nothing was answered (no latency): named beside the x axis label.
    none = ''
    do for [k = 1:nl] {
        names_acc = ''
        stats sw_f using (strcol("metric") eq fl . '.latency_p99' && sw_line(k) && \
            strcol("mean") eq '' ? add_name(strcol(sw_x)) : 0) nooutput
        if (names_acc ne '') {
            none = none . (none eq '' ? '' : ';  ') . (by eq '' ? '' : sw_linetitle(k) . ' at ') . \
                sw_x . ' ' . str_replace(names_acc, ' ', ', ')
        }
    }
    set title "flow " . fl font ",11"
    set xlabel sw_x . (none eq '' ? '' : '        (no response, nothing answered: ' . none . ')')
    plot for [k = 1:nl] for [p = 1:3] sw_f using \
        (strcol("metric") eq fl . '.' . word(pcts, p) && sw_line(k) ? column(sw_x) : NaN):(1000 * column("mean")):(1000 * hw_or_0(column("half_width"))) \
        with yerrorlines lt k dt pct_dt(p) title (sw_linetitle(k) eq '' ? '' : sw_linetitle(k) . ' ') . pct_title(p), \
        (has_data ? NaN : 0) with lines lc rgb invisible notitle
}
unset multiplot
unset output
