# latency_cdf.gp — the distribution of response times of each flow, from latency.csv.
# The vertical axis is the fraction of responses at or below a time on a "nines" scale
# (-log10(1 - F)): 50%, 90%, 99%, 99.9%... are evenly spaced, so the tail is as easy to read as the
# body. Response times (horizontal) on a log scale. The histograms of all replications are pooled
# (rep = -1), or one replication is drawn (rep = N).
#   gnuplot -e "dir='out/sync_chain'" plots/latency_cdf.gp       -> out/sync_chain/latency_cdf.png
dessa_dir(p) = (dd_i = strstrt(p, '/')) == 0 ? '' : p[1:dd_i] . dessa_dir(p[dd_i + 1:])
if (!exists("dessa_loaded")) load dessa_dir(ARG0) . 'dessa.gp'

f = dir . '/latency.csv'
names_acc = ''
stats f using (sel(column("rep")) ? add_name(strcol("flow")) : 0) nooutput
flows = names_acc
nf = words(flows)
if (nf == 0) {
    print "latency.csv holds no response times (no request was answered): no chart"
    exit status 1
}
is(name) = strcol("flow") eq name && sel(column("rep"))

# Per flow: its total count, and its cumulative counts at each bucket's upper bound (ms).
array total[nf]
do for [i = 1:nf] {
    stats f using (is(word(flows, i)) ? column("count") : NaN) nooutput
    total[i] = STATS_sum
    eval sprintf('set table $cum%d', i)
    plot f using (ms(column("upper"))):(is(word(flows, i)) ? column("count") : NaN) smooth cumulative
    unset table
}
nines(p) = p < 1 ? -log10(1 - p) : NaN

eval sprintf(dessa_term, dessa_w(900), dessa_h(560), font)
set output dessa_out('latency_cdf')
eval dessa_caption
set title sprintf("Response times: fraction of responses at or below each time (%s)", \
    rep < 0 ? "replications pooled" : sprintf("replication %d", rep)) font ",13"
set lmargin 13
set bmargin 5
set logscale x 10
set format x "%g"
set xlabel "response time (ms, log scale)"
set ylabel "responses at or below (nines scale)"
set ytics ("0%%" 0, "50%%" log10(2), "90%%" 1, "99%%" 2, "99.9%%" 3, "99.99%%" 4, \
           "99.999%%" 5, "99.9999%%" 6)
set yrange [0:*]
set grid xtics mxtics ytics lc rgb "#E4E4E4"
set key top left
set datafile separator whitespace      # the tables above
# From a little below the fastest flow's 1st percentile to the slowest response.
xlo = 1e300; xhi = 0
do for [i = 1:nf] {
    stats sprintf('$cum%d', i) using ($2 / total[i] >= 0.01 ? $1 : NaN) nooutput
    xlo = STATS_min < xlo ? STATS_min : xlo
    stats sprintf('$cum%d', i) using 1 nooutput
    xhi = STATS_max > xhi ? STATS_max : xhi
}
set xrange [xlo / 2 : xhi * 1.5]
plot for [i = 1:nf] sprintf('$cum%d', i) using 1:(nines($2 / total[i])) \
        with steps lt i title word(flows, i)
unset output
