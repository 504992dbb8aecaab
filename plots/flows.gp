# flows.gp — response time against completion time for each flow, from flows.csv.
# Response time is what the client waits for; completion time runs until the last piece of work
# the request caused has finished (asynchronous work included). In a purely synchronous design the
# two are equal; the gap is the work done after the answer. Bars: the mean and the p99 of each,
# averaged across replications (rep = -1) or from one replication (rep = N). Each completion bar
# names the gap over its response bar ("+41 ms after the answer"): in an asynchronous design the
# gap is the point of the chart.
#   gnuplot -e "dir='out/sync_chain'" plots/flows.gp             -> out/sync_chain/flows.png
dessa_dir(p) = (dd_i = strstrt(p, '/')) == 0 ? '' : p[1:dd_i] . dessa_dir(p[dd_i + 1:])
if (!exists("dessa_loaded")) load dessa_dir(ARG0) . 'dessa.gp'

f = dir . '/flows.csv'
names_acc = ''
stats f using (sel(column("rep")) ? add_name(strcol("flow")) : 0) nooutput
flows = names_acc
nf = words(flows)
is(name) = strcol("flow") eq name && sel(column("rep"))

# The four bars of each flow: metric, legend, colour.
metrics = "latency_mean completion_mean latency_p99 completion_p99"
legend(m) = m == 1 ? "response, mean" : m == 2 ? "completion, mean" : \
            m == 3 ? "response, p99" : "completion, p99"
colour(m) = m == 1 ? "#0072B2" : m == 2 ? "#D55E00" : m == 3 ? "#7FB8D8" : "#EAAE80"
array val[4 * nf]
do for [i = 1:nf] {
    do for [m = 1:4] {
        eval mean_of(sprintf('is("%s") ? ms(column("%s")) : NaN', word(flows, i), word(metrics, m)))
        val[4 * (i - 1) + m] = stat_v
    }
}
# Times in ms, or in s or h when the tallest bar would pass 10 000 ms (as the summary table).
vmax = 0
do for [k = 1:4 * nf] { if (val[k] == val[k] && val[k] > vmax) { vmax = val[k] } }
tdiv = vmax < 1e4 ? 1 : vmax < 1e7 ? 1e3 : 3.6e6
tunit = vmax < 1e4 ? "ms" : vmax < 1e7 ? "s" : "h"
do for [k = 1:4 * nf] { val[k] = val[k] / tdiv }
# The bar of flow i, metric m: its x position and its height.
bx(k) = int(k - 1) / 4 + 1 + ((int(k - 1) % 4) - 1.5) * 0.2
bm(k) = int(k - 1) % 4 + 1

eval sprintf(dessa_term, dessa_w(900), dessa_h(520), font)
set output dessa_out('flows')
eval dessa_caption
set title sprintf("Response and completion time of each flow (%s)", \
    rep < 0 ? "mean across replications" : sprintf("replication %d", rep)) font ",13" offset 0, 1.5
set bmargin 5
set boxwidth 0.18
set xrange [0.4:nf + 0.6]
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set xtics () scale 0
do for [i = 1:nf] { set xtics add (word(flows, i) i) }
set ylabel sprintf("time (%s)", tunit)
do for [k = 1:4 * nf] {     # no answer, or no request finished its work: say so
    if (val[k] != val[k]) { set label (100 + k) "none" at bx(k), 0 center offset 0, 0.7 font ",8" }
}
# The legend in one row between the title and the bars, where no bar can reach it.
set tmargin 5
set key at screen 0.5, screen 0.9 center top horizontal samplen 1.5 width 2
# The label over bar k: its value; over a completion bar also the gap over the response bar
# beside it, when there is one (asynchronous work after the answer).
gap(k) = val[int(k) - 1] == val[int(k) - 1] ? $2 - val[int(k) - 1] : 0
# Spelled out while the bars are wide enough for it.
gap_words = nf <= 2 ? " after the answer" : ""
two_lines(k) = bm(k) % 2 == 0 && gap(k) >= 0.005 * $2
num3(x) = abs(x) >= 1000 ? sprintf("%.0f", x) : sprintf("%.3g", x)   # 2162, not 2.16e+03
bar_label(k) = two_lines(k) ? sprintf("%s %s\n+%s %s%s", num3($2), tunit, num3(gap(k)), tunit, \
    gap_words) : sprintf("%s %s", num3($2), tunit)
set datafile separator whitespace      # arrays are read like whitespace-separated data
plot for [m = 1:4] val using (bm($1) == m ? bx($1) : NaN):2 with boxes fc rgb colour(m) \
        title legend(m), \
     val using (bx($1)):2:(two_lines($1) ? NaN : bar_label($1)) with labels offset 0, 0.8 \
        font ",9" notitle, \
     val using (bx($1)):2:(two_lines($1) ? bar_label($1) : NaN) with labels offset 0, 1.5 \
        font ",9" notitle, \
     0 with lines lc rgb invisible notitle
unset output
