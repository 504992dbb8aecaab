# timeseries.gp — a run over time, from timeseries.csv: five panels sharing the time axis, six
# when the run has brokers (the plots then leave a little more room for the longer legend).
#   answers per second and p99 response time of each flow; requests waiting and threads working
#   and blocked at each service; messages waiting (depth) and lag of each broker and group (a
#   queue's single group repeats its broker's row and is drawn once); errors per second of each flow.
# Replications are never interleaved: each point is the mean across replications at that time
# (rep = -1), or one replication's value (rep = N). The warm-up is shaded, and so is every
# interval in `shade` (failures, outages: "start end label;...").
#   gnuplot -e "dir='out/sync_chain'" plots/timeseries.gp        -> out/sync_chain/timeseries.png
dessa_dir(p) = (dd_i = strstrt(p, '/')) == 0 ? '' : p[1:dd_i] . dessa_dir(p[dd_i + 1:])
if (!exists("dessa_loaded")) load dessa_dir(ARG0) . 'dessa.gp'

f = dir . '/timeseries.csv'
# Whether an entity is a queue's single group, "q/q", which repeats the broker's own row.
same_group(e) = (sg_i = strstrt(e, '/')) > 0 && e[1:sg_i - 1] eq e[sg_i + 1:]
names_acc = ''
stats f using (strcol("kind") eq 'flow' && sel(column("rep")) ? add_name(strcol("entity")) : 0) nooutput
flows = names_acc
names_acc = ''
stats f using (strcol("kind") eq 'service' && sel(column("rep")) ? add_name(strcol("entity")) : 0) nooutput
services = names_acc
names_acc = ''
stats f using (strcol("kind") eq 'broker' && sel(column("rep")) && !same_group(strcol("entity")) ? \
    add_name(strcol("entity")) : 0) nooutput
brokers = names_acc
stats f using "time" nooutput
tmax = STATS_max
sample = STATS_min            # the first row ends the first interval
nf = words(flows)
ns = words(services)
nb = words(brokers)
npanels = nb > 0 ? 6 : 5

# Values of one entity in the chosen replication(s); NaN elsewhere (skipped, then averaged).
is(name) = strcol("entity") eq name && sel(column("rep"))
v(name, col) = is(name) ? column(col) : NaN

eval sprintf(dessa_term, dessa_w(900), dessa_h(nb > 0 ? 1240 : 1040), font)
set output dessa_out('timeseries')
eval dessa_caption

# Shaded intervals: the warm-up, then `shade`.
nshade = shade eq '' ? 0 : 1 + (strlen(shade) - strlen(str_replace(shade, ';', '')))
piece(s, k) = k == 1 ? (strstrt(s, ';') ? s[1:strstrt(s, ';') - 1] : s) : \
    piece(s[strstrt(s, ';') + 1:], k - 1)
if (warmup > 0) {
    set object 1 rect from 0, graph 0 to warmup, graph 1 fc rgb c_shade fs solid 1.0 noborder behind
}
do for [k = 1:nshade] {
    p = piece(shade, k)
    set object (10 + k) rect from real(word(p, 1)), graph 0 to real(word(p, 2)), graph 1 \
        fc rgb "#F6D5D5" fs solid 1.0 noborder behind
}

set multiplot layout npanels, 1 margins 0.10, nb > 0 ? 0.80 : 0.82, 0.07, 0.94 spacing 0, 0.025 \
    title sprintf("Over time: %s", rep < 0 ? "each point the mean across replications" : \
    sprintf("replication %d", rep)) font ",13"
set xrange [0:tmax]
set yrange [0:*]
set key outside right top
set format x ''
set mxtics
set ytics format "%g"

# Labels for the shaded areas, on the first panel only.
if (warmup > 0) {
    set label 2 "warm-up" at warmup / 2, graph 0.92 center font ",8" tc rgb c_text front
}
do for [k = 1:nshade] {
    p = piece(shade, k)
    set label (10 + k) p[strlen(word(p, 1) . word(p, 2)) + 3:] \
        at (real(word(p, 1)) + real(word(p, 2))) / 2, graph 0.92 center font ",8" tc rgb "#A03030" front
}

set ylabel "answers/s"
plot for [i = 1:nf] f using "time":(v(word(flows, i), "throughput")) smooth unique \
        with lines lt i title word(flows, i), \
     0 with lines lc rgb invisible notitle
unset label 2
do for [k = 1:nshade] { unset label (10 + k) }

set ylabel "p99 response (ms)"
plot for [i = 1:nf] f using "time":(is(word(flows, i)) ? ms(column("latency_p99")) : NaN) \
        smooth unique with lines lt i title word(flows, i), \
     0 with lines lc rgb invisible notitle

set ylabel "queue (requests)"
plot for [i = 1:ns] f using "time":(v(word(services, i), "queue")) smooth unique \
        with lines lt i title word(services, i), \
     0 with lines lc rgb invisible notitle

set ylabel "threads"
plot for [i = 1:ns] f using "time":(v(word(services, i), "threads_working")) smooth unique \
        with lines lt i title word(services, i), \
     for [i = 1:ns] f using "time":(v(word(services, i), "threads_blocked")) smooth unique \
        with lines lt i dt (6, 4) notitle, \
     NaN with lines lc rgb "#444444" title "working", \
     NaN with lines lc rgb "#444444" dt (6, 4) title "blocked"

if (nb > 0) {
    set ylabel "messages"
    plot for [i = 1:nb] f using "time":(v(word(brokers, i), "queue")) smooth unique \
            with lines lt i title word(brokers, i), \
         for [i = 1:nb] f using "time":(v(word(brokers, i), "lag")) smooth unique \
            with lines lt i dt (6, 4) notitle, \
         NaN with lines lc rgb "#444444" title "waiting (depth)", \
         NaN with lines lc rgb "#444444" dt (6, 4) title "lag"
}

set format x "%g"
set xlabel "time (s)"
set ylabel "errors/s"
plot for [i = 1:nf] f using "time":(v(word(flows, i), "errors") / sample) smooth unique \
        with lines lt i title word(flows, i), \
     0 with lines lc rgb invisible notitle
unset multiplot
unset output
