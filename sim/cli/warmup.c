/* warmup: dessa warmup DIR — how long a run needs to forget its empty start, from its time series.
 *
 * Welch's graphical method and the MSER-5 rule, on one metric of timeseries.csv:
 *   1. the metric is averaged across the replications at each sample time (the k-th row of the
 *      entity in every replication is the same instant: rows fall on multiples of the interval);
 *   2. a centred moving average of that mean (window w each side, shrinking near the start as
 *      Welch does) smooths it for the eye: warmup.csv holds time, the mean, the number of
 *      replications with a value, and the moving average, for a chart or a look;
 *   3. MSER-5 (White, 1997) suggests the cut-off: the mean series is cut into batches of 5
 *      samples, and the truncation d (in batches, at most half of them) that minimises
 *      sum_{i>d} (Z_i - mean(Z_{d+1..m}))^2 / (m - d)^2 is the warm-up; its end time is printed
 *      next to the run's own warm-up.
 * The metric is ENTITY.COLUMN (a flow or service name and a time-series column), by default the
 * first flow's latency_mean. The file is read line by line: memory follows the number of sample
 * times, not the file's size. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "out/csv.h"
#include "core/error.h"

#define MSER_BATCH 5
#define MAX_LINE_FIELDS 64

const char cli_warmup_help[] =
    "usage: dessa warmup DIR [--metric ENTITY.COLUMN] [--window W] [-q]\n"
    "\n"
    "Suggests the warm-up of a run from DIR/timeseries.csv: the metric is averaged across the\n"
    "replications at each sample time, smoothed by a moving average (Welch's method) and cut\n"
    "where the MSER-5 rule says the start no longer biases the mean. Writes DIR/warmup.csv\n"
    "(time, mean, reps, moving_average) and prints the suggestion. Run the scenario with\n"
    "several replications and a short sample interval, without a warm-up, for the best view.\n"
    "\n"
    "options:\n"
    "  --metric E.COLUMN    the time-series column of flow or service E (default: the first\n"
    "                       flow's latency_mean), e.g. web.queue or users.latency_p99\n"
    "  --window W           samples each side of the moving average (default: 1/20 of them)\n"
    "  -q, --quiet          write warmup.csv, print only the suggested warm-up in seconds\n"
    "  -h, --help           this text\n"
    "\n"
    "Exit status: 0 success, 1 a missing or unreadable time series, 2 usage error.\n";

typedef struct series {
    double *time, *sum;
    size_t *n;
    size_t len, cap;
} series;

static int series_add(series *s, size_t k, double t, double v)
{
    if (k >= s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 1024;
        while (cap <= k)
            cap *= 2;
        double *nt = realloc(s->time, cap * sizeof *nt);
        if (nt)
            s->time = nt;
        double *ns = nt ? realloc(s->sum, cap * sizeof *ns) : NULL;
        if (ns)
            s->sum = ns;
        size_t *nn = ns ? realloc(s->n, cap * sizeof *nn) : NULL;
        if (!nn)
            return -1;
        s->n = nn;
        for (size_t i = s->cap; i < cap; i++) {
            s->sum[i] = 0;
            s->n[i] = 0;
        }
        s->cap = cap;
    }
    if (k >= s->len) {
        s->time[k] = t;
        s->len = k + 1;
    }
    if (!isnan(v)) {
        s->sum[k] += v;
        s->n[k]++;
    }
    return 0;
}

/* MSER-5 over the means y[0..m): the truncation, in samples. */
static size_t mser5(const double *y, size_t m)
{
    size_t nb = m / MSER_BATCH;
    if (nb < 2)
        return 0;
    double *z = malloc(nb * sizeof *z);
    if (!z)
        return 0;
    for (size_t b = 0; b < nb; b++) {
        double s = 0;
        for (size_t i = 0; i < MSER_BATCH; i++)
            s += y[b * MSER_BATCH + i];
        z[b] = s / MSER_BATCH;
    }
    /* Suffix sums give every truncation's mean and sum of squares in one pass. */
    size_t best = 0;
    double best_val = INFINITY, sum = 0, sq = 0;
    double *val = malloc(nb * sizeof *val);
    if (!val) {
        free(z);
        return 0;
    }
    for (size_t d = nb; d-- > 0;) {
        sum += z[d];
        sq += z[d] * z[d];
        double n = (double)(nb - d), mean = sum / n;
        double ss = sq - n * mean * mean;
        val[d] = (ss < 0 ? 0 : ss) / (n * n);
    }
    for (size_t d = 0; d <= nb / 2; d++)
        if (val[d] < best_val) {
            best_val = val[d];
            best = d;
        }
    free(val);
    free(z);
    return best * MSER_BATCH;
}

static int usage(const char *fmt, const char *arg)
{
    fprintf(stderr, "dessa: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see dessa warmup --help)\n");
    return EXIT_USAGE;
}

int cli_warmup(int argc, char **argv)
{
    const char *dir = NULL, *metric = NULL;
    long window = -1;
    int quiet = 0;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        int attached = 0;
        if (!strncmp(a, "--metric=", 9) || !strncmp(a, "--window=", 9)) {
            v = a + 9;
            attached = 1;
        }
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(cli_warmup_help, stdout);
            return 0;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            quiet = 1;
        } else if (!strncmp(a, "--metric", 8) && (attached || !a[8])) {
            if (!v || !strchr(v, '.'))
                return usage("--metric needs ENTITY.COLUMN (users.latency_mean), got '%s'",
                             v ? v : "");
            metric = v;
            i += !attached;
        } else if (!strncmp(a, "--window", 8) && (attached || !a[8])) {
            char *end;
            window = v ? strtol(v, &end, 10) : -1;
            if (!v || end == v || *end || window < 1 || window > 1000000)
                return usage("--window needs a whole number of samples from 1, got '%s'",
                             v ? v : "");
            i += !attached;
        } else if (a[0] == '-' && a[1]) {
            return usage("unknown option '%s' for warmup", a);
        } else if (!dir) {
            dir = a;
        } else {
            return usage("one directory at a time: '%s' is one too many", a);
        }
    }
    if (!dir)
        return usage("%s", "warmup needs a results directory: dessa warmup DIR");

    char path[4300];
    snprintf(path, sizeof path, "%s/timeseries.csv", dir);
    FILE *in = fopen(path, "r");
    if (!in) {
        fprintf(stderr, "dessa: cannot read '%s': %s\n", path, strerror(errno));
        return EXIT_MODEL;
    }
    char *line = NULL, *f[MAX_LINE_FIELDS];
    size_t cap = 0;
    int status = EXIT_MODEL, col = -1, c_rep = -1, c_time = -1, c_entity = -1, c_kind = -1;
    char entity[512] = "", column[128] = "latency_mean";
    if (metric) {
        const char *dot = strrchr(metric, '.');
        snprintf(entity, sizeof entity, "%.*s", (int)(dot - metric), metric);
        snprintf(column, sizeof column, "%s", dot + 1);
    }
    series s = { 0 };
    size_t k = 0, reps = 0;
    char last_rep[32] = "";
    if (getline(&line, &cap, in) < 0) {
        fprintf(stderr, "dessa: '%s' is empty\n", path);
        goto done;
    }
    cli_chomp(line);
    size_t nh = cli_split_csv(line, f, MAX_LINE_FIELDS);
    for (size_t i = 0; i < nh; i++) {
        if (!strcmp(f[i], "rep"))
            c_rep = (int)i;
        else if (!strcmp(f[i], "time"))
            c_time = (int)i;
        else if (!strcmp(f[i], "entity"))
            c_entity = (int)i;
        else if (!strcmp(f[i], "kind"))
            c_kind = (int)i;
        else if (!strcmp(f[i], column))
            col = (int)i;
    }
    if (c_rep < 0 || c_time < 0 || c_entity < 0 || c_kind < 0) {
        fprintf(stderr, "dessa: '%s' is not a dessa time series (no rep, time, entity, kind)\n",
                path);
        goto done;
    }
    if (col < 0 || col <= c_kind) {
        fprintf(stderr, "dessa: --metric: the time series has no column '%s' (its columns: "
                        "throughput, latency_mean, latency_p50, latency_p99, queue, utilization, "
                        "...)\n", column);
        goto done;
    }
    while (getline(&line, &cap, in) >= 0) {
        cli_chomp(line);
        size_t n = cli_split_csv(line, f, MAX_LINE_FIELDS);
        if (n != nh)
            continue;
        if (!entity[0] && !strcmp(f[c_kind], "flow"))   /* the first flow */
            snprintf(entity, sizeof entity, "%s", f[c_entity]);
        if (strcmp(f[c_entity], entity))
            continue;
        if (strcmp(f[c_rep], last_rep)) {   /* a new replication: back to its first sample */
            snprintf(last_rep, sizeof last_rep, "%s", f[c_rep]);
            k = 0;
            reps++;
        }
        char *end;
        double t = strtod(f[c_time], NULL), v = strtod(f[col], &end);
        if (end == f[col] || *end)
            v = NAN;
        if (series_add(&s, k++, t, v) != 0) {
            fprintf(stderr, "dessa: out of memory\n");
            goto done;
        }
    }
    if (!entity[0] || s.len == 0) {
        fprintf(stderr, "dessa: '%s' has no rows for %s\n", path,
                entity[0] ? entity : "a flow (give --metric ENTITY.COLUMN)");
        goto done;
    }

    /* The mean across replications; a sample without any value takes the previous mean. */
    double *y = malloc(s.len * sizeof *y);
    if (!y) {
        fprintf(stderr, "dessa: out of memory\n");
        goto done;
    }
    size_t first = 0;
    while (first < s.len && s.n[first] == 0)
        first++;
    for (size_t i = 0; i < s.len; i++)
        y[i] = s.n[i] ? s.sum[i] / (double)s.n[i] : i > first ? y[i - 1] : NAN;
    size_t w = window > 0 ? (size_t)window : s.len / 20 ? s.len / 20 : 1;

    char tmp[4400];
    snprintf(path, sizeof path, "%s/warmup.csv", dir);
    snprintf(tmp, sizeof tmp, "%s/.warmup.csv.tmp-%ld", dir, (long)getpid());
    sim_file out;
    if (sim_file_open(&out, tmp) != SIM_OK) {
        fprintf(stderr, "dessa: cannot write '%s': %s\n", tmp, strerror(out.err));
        free(y);
        goto done;
    }
    static const char *const cols[] = { "time", "mean", "reps", "moving_average" };
    sim_csv_header(&out, cols, 4);
    for (size_t i = 0; i < s.len; i++) {
        /* Welch: a window of w each side, or of i each side near the start. */
        size_t h = i < w ? i : w, lo = i - h, hi = i + h;
        double ma = NAN;
        if (hi < s.len && i >= first) {
            double sum = 0;
            size_t n = 0;
            for (size_t j = lo; j <= hi; j++)
                if (!isnan(y[j])) {
                    sum += y[j];
                    n++;
                }
            ma = n ? sum / (double)n : NAN;
        }
        sim_csv_real(&out, s.time[i]);
        sim_csv_real(&out, y[i]);
        sim_csv_u64(&out, s.n[i]);
        sim_csv_real(&out, ma);
        sim_csv_end(&out);
    }
    if (sim_file_close(&out) != SIM_OK || rename(tmp, path) != 0) {
        fprintf(stderr, "dessa: cannot write '%s': %s\n", path,
                strerror(out.err ? out.err : errno));
        sim_file_fini(&out, 1);
        free(y);
        goto done;
    }
    sim_file_fini(&out, 0);

    size_t cut = first < s.len ? first + mser5(y + first, s.len - first) : 0;
    double sample = s.len > 1 ? s.time[1] - s.time[0] : s.time[0];
    double suggested = cut ? s.time[cut - 1] : 0;
    if (quiet)
        printf("%.6g\n", suggested);
    else
        printf("%s.%s over %zu replication%s, %zu samples of %.6g s: suggested warm-up %.6g s "
               "(MSER-5)\nthe mean across replications and its moving average (window %zu "
               "each side) are in %s\n", entity, column, reps, reps == 1 ? "" : "s", s.len,
               sample, suggested, w, path);
    free(y);
    status = 0;
done:
    free(s.time);
    free(s.sum);
    free(s.n);
    free(line);
    fclose(in);
    return status;
}
