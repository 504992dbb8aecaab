# services.gp — where the time goes at each service, from services.csv.
# Left: each service's thread pool split into threads working (in a work step), blocked (held
# while waiting on a call, io or a join) and idle, as shares of the pool, with the pool size under
# the name. Right: the cores its work keeps busy (time-average), with the CPU utilization when
# its cores are limited. Means across replications (rep = -1) or one replication (rep = N).
#   gnuplot -e "dir='out/sync_chain'" plots/services.gp          -> out/sync_chain/services.png
dessa_dir(p) = (dd_i = strstrt(p, '/')) == 0 ? '' : p[1:dd_i] . dessa_dir(p[dd_i + 1:])
if (!exists("dessa_loaded")) load dessa_dir(ARG0) . 'dessa.gp'

f = dir . '/services.csv'
names_acc = ''
stats f using (sel(column("rep")) ? add_name(strcol("service")) : 0) nooutput
services = names_acc
ns = words(services)
is(name) = strcol("service") eq name && sel(column("rep"))

# Per row: utilization u = held / pool, w working and b blocked threads. A pool without a size
# (an infinite server, processor sharing) has no utilization: its shares are NaN.
held_share(part) = column("threads_working") + column("threads_blocked") > 0 ? \
    column("utilization") * part / (column("threads_working") + column("threads_blocked")) : 0
array work[ns]; array block[ns]; array idle[ns]; array pool[ns]
array cores[ns]; array cpu[ns]; array absw[ns]; array absb[ns]
do for [i = 1:ns] {
    s = word(services, i)
    eval mean_of(sprintf('is("%s") ? held_share(column("threads_working")) : NaN', s))
    work[i] = stat_v
    eval mean_of(sprintf('is("%s") ? held_share(column("threads_blocked")) : NaN', s))
    block[i] = stat_v
    eval mean_of(sprintf('is("%s") ? 1 - column("utilization") : NaN', s))
    idle[i] = stat_v
    eval mean_of(sprintf('is("%s") && column("utilization") > 0 ? ' . \
        '(column("threads_working") + column("threads_blocked")) / column("utilization") : NaN', s))
    pool[i] = stat_v
    eval mean_of(sprintf('is("%s") ? column("cores_busy") : NaN', s))
    cores[i] = stat_v
    eval mean_of(sprintf('is("%s") ? column("cpu_utilization") : NaN', s))
    cpu[i] = stat_v
    eval mean_of(sprintf('is("%s") ? column("threads_working") : NaN', s))
    absw[i] = stat_v
    eval mean_of(sprintf('is("%s") ? column("threads_blocked") : NaN', s))
    absb[i] = stat_v
}
# The label under each service: its name and its pool.
pool_text(i) = work[i] == work[i] ? (pool[i] == pool[i] ? sprintf("%.0f threads", pool[i]) : "") : \
    "no pool limit"
# The text on a bar of a pool without a size: its average threads working and blocked.
unbounded_text(i) = sprintf("%.1f working\n%.1f blocked", absw[i], absb[i])

eval sprintf(dessa_term, dessa_w(900), dessa_h(520), font)
set output dessa_out('services')
eval dessa_caption
set multiplot title sprintf("Where the time goes at each service (%s)", \
    rep < 0 ? "mean across replications" : sprintf("replication %d", rep)) font ",13"
set datafile separator whitespace      # arrays are read like whitespace-separated data
set style fill solid 1.0 border rgb "white"
set boxwidth 0.6
set xrange [0.4:ns + 0.6]
set xtics () scale 0 font ",9"
do for [i = 1:ns] { set xtics add (word(services, i) . "\n" . pool_text(i) i) }

# Threads: shares of each pool, stacked.
set lmargin at screen 0.08
set rmargin at screen 0.60
set tmargin at screen 0.78
set bmargin at screen 0.20
set yrange [0:1]
set ytics ("0%%" 0, "20%%" 0.2, "40%%" 0.4, "60%%" 0.6, "80%%" 0.8, "100%%" 1)
set ylabel "share of the thread pool (time-average)"
do for [i = 1:ns] {         # pools without a size: the threads in numbers instead
    if (work[i] != work[i]) { set label (100 + i) unbounded_text(i) at i, 0.5 center font ",8" }
}
set key at screen 0.08, screen 0.90 left
plot idle using 1:($2 == $2 ? 1 : NaN) with boxes fc rgb c_idle title "idle", \
     block using 1:(work[$1] + $2) with boxes fc rgb c_block title "blocked (waiting, holding a thread)", \
     work using 1:2 with boxes fc rgb c_work title "working", \
     0 with lines lc rgb invisible notitle
set ylabel "cores busy (time-average)"
set lmargin at screen 0.70
set rmargin at screen 0.98
set yrange [0:*]
set ytics auto
set offsets 0, 0, graph 0.1, 0
unset key
unset for [i = 1:ns] label (100 + i)
set xtics () scale 0 font ",9"
do for [i = 1:ns] { set xtics add (word(services, i) i) }
plot cores using 1:2 with boxes fc rgb c_cpu notitle, \
     cores using 1:2:(cpu[$1] == cpu[$1] ? sprintf("%.0f%% CPU", 100 * cpu[$1]) : \
        sprintf("%.2f", $2)) with labels offset 0, 0.7 font ",8" notitle
unset multiplot
unset output
