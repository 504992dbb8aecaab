# metric.gp — any metric of a sweep against any swept parameter, from sweep_summary.csv: the mean
# across replications with its 95% half-width as error bars, one colour per value of by, one
# panel per entity. y is a column of sweep.csv, ENTITY.METRIC (web.threads_blocked), or METRIC
# alone (throughput): every entity that has it. Times are drawn in ms. Other swept params are
# held at their value in point 0 (said in the title); a point without a value is absent.
#   gnuplot -e "dir='out/sweep'; y='throughput'" plots/metric.gp       -> out/sweep/metric-throughput.png
#   gnuplot -e "dir='out/sweep'; x='threads'; y='web.threads_blocked'; by='blocking'" plots/metric.gp
dessa_dir(p) = (dd_i = strstrt(p, '/')) == 0 ? '' : p[1:dd_i] . dessa_dir(p[dd_i + 1:])
if (!exists("dessa_loaded")) load dessa_dir(ARG0) . 'dessa.gp'
if (!exists("y")) { print "metric.gp needs y, a metric: -e \"y='throughput'\""; exit status 2 }
sw_y = y
eval sweep_setup

# The metrics drawn: y itself, or every ENTITY.y.
names_acc = ''
stats sw_f using (column("point") >= 0 && (strcol("metric") eq sw_y || \
    ends_with(strcol("metric"), '.' . sw_y)) ? add_name(strcol("metric")) : 0) nooutput
ms_list = names_acc
nm = words(ms_list)
if (nm == 0) { print "no metric " . sw_y . " in " . sw_f; exit status 1 }
nl = words(sw_byvals)
base = metric_of(word(ms_list, 1))
scale = unit_scale(base)

eval sprintf(dessa_term, dessa_w(900), dessa_h(120 + 300 * nm), font)
set output dessa_out('metric-' . sw_y)
eval dessa_caption
set multiplot layout nm, 1 title sprintf("%s against %s%s (mean across replications, " . \
    "95%% error bars)%s", sw_y, sw_x, by eq '' ? '' : ', by ' . by, \
    sw_heldtext eq '' ? '' : ',' . sw_heldtext) font ",13" \
    margins 0.09, 0.78, 75.0 / dessa_h(120 + 300 * nm), 1 - 70.0 / dessa_h(120 + 300 * nm) \
    spacing 0, 95.0 / dessa_h(120 + 300 * nm)
set xlabel sw_x
set key outside right top Left reverse
set offsets graph 0.03, graph 0.03, graph 0.05, 0
set yrange [0:*]
do for [i = 1:nm] {
    m = word(ms_list, i)
    set ylabel sprintf("%s (%s)", str_replace(metric_of(m), '_', ' '), unit_name(metric_of(m)))
    set title m font ",11"
    plot for [k = 1:nl] sw_f using \
        (strcol("metric") eq m && sw_line(k) ? column(sw_x) : NaN):(scale * column("mean")):(scale * hw_or_0(column("half_width"))) \
        with yerrorlines lt k title sw_linetitle(k), \
        0 with lines lc rgb invisible notitle
}
unset multiplot
unset output
