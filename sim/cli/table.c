/* table: the summary printed after a run — one row per flow and per service, each cell the mean
 * across replications with its 95% t half-width. The statistics live in stats/summary; this file
 * only picks the columns and formats them.
 *
 * Words and units: a column is named as in the CSV files (docs/outputs.md), shortened only under
 * a group heading (`latency` over mean, p50, p99, max; `threads` over working, blocked, idle), and
 * the line above the names gives the unit of every column that has one (ms, s or h for times,
 * whichever reads best for the largest of a group; /s; %). Counts add
 * up on every row: sent = ok + failed + timeouts + dropped + in_flight for a flow, arrivals =
 * completed + failed + dropped + in_flight for a service; an `other` column (the causes that
 * have no column of their own here) appears when one of them is not zero. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/error.h"
#include "model/cause.h"
#include "stats/summary.h"

/* How a cell is printed: fixed decimals; three significant digits (a histogram quantile: its
 * buckets give it a relative error of up to 0.39%, so a fourth digit would be noise); or fixed
 * decimals that become three significant digits below 1 (a rate of 0.004/s is not 0.00). */
enum { FIXED, SIG3, RATE };

/* One column: the group heading above it (several columns in a row with the same group share
 * it), its unit, its name, the metric shown (NULL: `other`, the causes without a column), a
 * scale applied to the value and the format. Times are kept in ms (unit MS) and printed in ms,
 * s or h, whichever suits the largest of their group (pick_units). */
typedef struct column {
    const char *group, *unit, *head, *metric;
    double scale;
    int format, prec;
    int optional;   /* shown only when some row of its kind is not zero */
} column;

static const char LATENCY[] = "latency", COMPLETION[] = "completion", THREADS[] = "threads",
                  DEPTH[] = "depth", WAIT[] = "", AGE[] = "", MS[] = "ms", RATE_U[] = "/s",
                  PCT[] = "%";

static const column flow_cols[] = {
    { NULL, NULL, "sent", "sent", 1, FIXED, 0, 0 },
    { NULL, NULL, "ok", "ok", 1, FIXED, 0, 0 },
    { NULL, NULL, "failed", "failed", 1, FIXED, 0, 0 },
    { NULL, NULL, "timeouts", "timeouts", 1, FIXED, 0, 0 },
    { NULL, NULL, "dropped", "dropped", 1, FIXED, 0, 0 },
    { NULL, NULL, "in_flight", "in_flight", 1, FIXED, 0, 0 },
    { NULL, NULL, "other", NULL, 1, FIXED, 0, 0 },
    { NULL, RATE_U, "throughput", "throughput", 1, RATE, 2, 0 },
    { LATENCY, MS, "mean", "latency_mean", 1e3, FIXED, 2, 0 },
    { LATENCY, MS, "p50", "latency_p50", 1e3, SIG3, 0, 0 },
    { LATENCY, MS, "p99", "latency_p99", 1e3, SIG3, 0, 0 },
    { LATENCY, MS, "max", "latency_max", 1e3, FIXED, 2, 0 },
    /* until the last work the request caused has ended (asynchronous consumers included) */
    { COMPLETION, MS, "mean", "completion_mean", 1e3, FIXED, 2, 0 },
    { COMPLETION, MS, "p99", "completion_p99", 1e3, SIG3, 0, 0 },
};
static const column service_cols[] = {
    { NULL, NULL, "arrivals", "arrivals", 1, FIXED, 0, 0 },
    { NULL, NULL, "completed", "completed", 1, FIXED, 0, 0 },
    { NULL, NULL, "failed", "failed", 1, FIXED, 0, 0 },
    { NULL, NULL, "dropped", "dropped", 1, FIXED, 0, 0 },
    { NULL, NULL, "in_flight", "in_flight", 1, FIXED, 0, 0 },
    { NULL, NULL, "other", NULL, 1, FIXED, 0, 0 },
    { NULL, PCT, "utilization", "utilization", 100, FIXED, 1, 0 },
    { THREADS, NULL, "working", "threads_working", 1, FIXED, 2, 0 },
    { THREADS, NULL, "blocked", "threads_blocked", 1, FIXED, 2, 0 },
    { THREADS, NULL, "idle", "threads_idle", 1, FIXED, 2, 0 },
    { NULL, NULL, "cores_busy", "cores_busy", 1, FIXED, 2, 0 },
    { NULL, NULL, "queue_mean", "queue_mean", 1, FIXED, 2, 0 },
    { WAIT, MS, "wait_mean", "wait_mean", 1e3, FIXED, 2, 0 },
};
/* Brokers: a row per broker, and one per topic group ("broker/group"). */
static const column broker_cols[] = {
    { NULL, NULL, "published", "published", 1, FIXED, 0, 0 },
    { NULL, NULL, "acked", "acked", 1, FIXED, 0, 0 },
    { NULL, NULL, "dropped", "dropped", 1, FIXED, 0, 0 },
    { NULL, NULL, "lost", "lost", 1, FIXED, 0, 0 },
    /* what only some models have: failures of the broker, redeliveries, request-reply */
    { NULL, NULL, "refused", "refused", 1, FIXED, 0, 1 },
    { NULL, NULL, "dead_lettered", "dead_lettered", 1, FIXED, 0, 1 },
    { NULL, NULL, "duplicates", "duplicates", 1, FIXED, 0, 1 },
    { NULL, NULL, "timeouts", "timeouts", 1, FIXED, 0, 1 },
    { NULL, NULL, "late_replies", "late_replies", 1, FIXED, 0, 1 },
    { DEPTH, NULL, "mean", "depth_mean", 1, FIXED, 2, 0 },
    { DEPTH, NULL, "max", "depth_max", 1, FIXED, 0, 0 },
    { NULL, NULL, "lag_mean", "lag_mean", 1, FIXED, 2, 0 },
    { AGE, MS, "age_mean", "age_mean", 1e3, FIXED, 2, 0 },
    { AGE, MS, "sojourn_mean", "sojourn_mean", 1e3, FIXED, 2, 0 },
    { NULL, PCT, "consumer_utilization", "consumer_utilization", 100, FIXED, 1, 0 },
};
#define NCOLS(c) (sizeof(c) / sizeof((c)[0]))
#define MAX2(a, b) ((a) > (b) ? (a) : (b))
#define MAX_COLS MAX2(MAX2(NCOLS(flow_cols), NCOLS(service_cols)), NCOLS(broker_cols))

struct cli_table {
    size_t nrows;
    char **names;
    const sim_result_kind **kinds;
    unsigned char *hide;  /* rows not printed: a queue's one group repeats the queue's row */
    uint64_t reps;
    sim_summary cells;   /* nrows x MAX_COLS */
};

cli_table *cli_table_new(void) { return calloc(1, sizeof(cli_table)); }

void cli_table_free(cli_table *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->nrows; i++)
        free(t->names[i]);
    free(t->names);
    free(t->kinds);
    free(t->hide);
    sim_summary_fini(&t->cells);
    free(t);
}

static const column *columns_of(const sim_result_kind *k, size_t *n)
{
    if (k == sim_result_kind_flow()) {
        *n = NCOLS(flow_cols);
        return flow_cols;
    }
    if (k == sim_result_kind_service()) {
        *n = NCOLS(service_cols);
        return service_cols;
    }
    if (k == sim_result_kind_broker()) {
        *n = NCOLS(broker_cols);
        return broker_cols;
    }
    *n = 0;
    return NULL;
}

static double value(const sim_entity_result *x, const char *name)
{
    return sim_entity_value(x, name);
}

/* Requests that ended for a cause without a column here (refused, crashed, shed, ...): what is
 * left of the first count once the others are taken away. */
static double other_of(const sim_entity_result *x)
{
    if (x->kind == sim_result_kind_flow())
        return value(x, "sent") - value(x, "ok") - value(x, "failed") - value(x, "timeouts") -
               value(x, "dropped") - value(x, "in_flight");
    return value(x, "arrivals") - value(x, "completed") - value(x, "failed") -
           value(x, "dropped") - value(x, "in_flight");
}

/* Threads idle: the threads of every replica minus those held (none for an infinite server). */
static double idle_of(const sim_entity_result *x)
{
    double util = value(x, "utilization"), held = value(x, "threads_working") +
                                                  value(x, "threads_blocked");
    return util > 0 ? held / util - held : NAN;
}

static int first_result(cli_table *t, const sim_rep_result *res)
{
    t->names = calloc(res->nentities + 1, sizeof *t->names);
    t->kinds = calloc(res->nentities + 1, sizeof *t->kinds);
    t->hide = calloc(res->nentities + 1, 1);
    if (!t->names || !t->kinds || !t->hide || sim_summary_init(&t->cells, res->nentities, MAX_COLS))
        return SIM_ENOMEM;
    for (; t->nrows < res->nentities; t->nrows++) {
        const sim_entity_result *x = &res->entities[t->nrows];
        t->kinds[t->nrows] = x->kind;
        int group = x->kind == sim_result_kind_broker() && x->part && x->part[0];
        t->hide[t->nrows] = group && !strcmp(x->part, x->name);
        if (group) {   /* a broker's group: "broker/group" */
            size_t len = strlen(x->name) + strlen(x->part) + 2;
            if ((t->names[t->nrows] = malloc(len)))
                snprintf(t->names[t->nrows], len, "%s/%s", x->name, x->part);
        } else {
            t->names[t->nrows] = strdup(x->name);
        }
        if (!t->names[t->nrows])
            return SIM_ENOMEM;
    }
    return SIM_OK;
}

int cli_table_add(cli_table *t, const sim_rep_result *res)
{
    if (t->reps++ == 0) {
        int rc = first_result(t, res);
        if (rc != SIM_OK)
            return rc;
    }
    for (size_t i = 0; i < res->nentities && i < t->nrows; i++) {
        const sim_entity_result *x = &res->entities[i];
        size_t n;
        const column *cols = columns_of(x->kind, &n);
        for (size_t k = 0; k < n; k++) {
            double v = !cols[k].metric ? other_of(x)
                       : !strcmp(cols[k].metric, "threads_idle") ? idle_of(x)
                                                                  : value(x, cols[k].metric);
            sim_summary_add(&t->cells, i, k, v * cols[k].scale);
        }
    }
    return SIM_OK;
}

/* Decimals for v: fixed, or enough for three significant digits (none above 100). */
static int decimals(const column *c, double v)
{
    double a = fabs(v);
    if (c->format == FIXED || (c->format == RATE && !(a < 1)))
        return c->prec;
    if (!(a > 0) || isinf(a))
        return c->format == RATE ? c->prec : 0;
    int d = 2 - (int)floor(log10(a));
    return d < 0 ? 0 : d > 9 ? 9 : d;
}

/* Formats "mean" (one replication) or "mean±half" (the 95% t half-width across several), divided
 * by div, into buf; returns its width on a terminal (± is two bytes, one column). */
static int format_cell(char *buf, size_t n, sim_summary_stat s, uint64_t reps, const column *c,
                       double div)
{
    double mean = s.mean / div, half = isnan(s.half) ? 0.0 : s.half / div;
    int d = decimals(c, mean);
    if (s.n == 0)
        snprintf(buf, n, "-");
    else if (reps < 2)
        snprintf(buf, n, "%.*f", d, mean);
    else
        snprintf(buf, n, "%.*f±%.*f", d, mean, d, half);
    return (int)strlen(buf) - (strstr(buf, "±") ? 1 : 0);
}

/* Whether row i is one of kind k that is printed (mask: the rows chosen, NULL: all). */
static int printed(const cli_table *t, const unsigned char *mask, const sim_result_kind *k,
                   size_t i)
{
    return t->kinds[i] == k && (!mask || mask[i]);
}

/* The `other` column, and an optional one, is shown only when some row of the kind printed is
 * not zero. */
static int shown(const cli_table *t, const unsigned char *mask, const sim_result_kind *k,
                 const column *c, size_t ci)
{
    if (c->metric && !c->optional)
        return 1;
    for (size_t i = 0; i < t->nrows; i++) {
        sim_summary_stat s = sim_summary_get(&t->cells, i, ci, 0.95);
        if (printed(t, mask, k, i) && s.n > 0 && s.mean != 0)
            return 1;
    }
    return 0;
}

/* The end of the run of columns that starts at c: the columns that share c's group. */
static size_t run_end(const column *cols, size_t n, size_t c)
{
    size_t e = c + 1;
    while (cols[c].group && e < n && cols[e].group == cols[c].group)
        e++;
    return e;
}

/* How each column is printed: its unit and the divisor from the stored value. Times (stored in
 * ms) take, per run of columns, the unit that keeps the largest mean shown under 10 000: ms, s or
 * h, so that a 10-minute report reads 571.80 s, not 571798.08 ms. */
static void pick_units(const cli_table *t, const unsigned char *mask, const sim_result_kind *k,
                       const column *cols, size_t n, const char **unit, double *div)
{
    for (size_t c = 0; c < n;) {
        size_t e = run_end(cols, n, c);
        double top = 0;
        for (size_t j = c; j < e && cols[j].unit == MS; j++)
            for (size_t i = 0; i < t->nrows; i++) {
                sim_summary_stat s = sim_summary_get(&t->cells, i, j, 0.95);
                if (printed(t, mask, k, i) && s.n > 0 && fabs(s.mean) > top)
                    top = fabs(s.mean);
            }
        for (size_t j = c; j < e; j++) {
            unit[j] = cols[j].unit;
            div[j] = 1;
            if (cols[j].unit != MS || top < 1e4)
                continue;
            unit[j] = top < 1e7 ? "s" : "h";
            div[j] = top < 1e7 ? 1e3 : 3.6e6;
        }
        c = e;
    }
}

/* The width of each column of kind k: its name's or its widest cell's (0: not shown). */
static void widths(const cli_table *t, const unsigned char *mask, const sim_result_kind *k,
                   const column *cols, size_t n, const char *const *unit, const double *div,
                   int *w)
{
    char buf[96];
    for (size_t c = 0; c < n; c++) {
        w[c] = shown(t, mask, k, &cols[c], c) ? (int)strlen(cols[c].head) : 0;
        for (size_t i = 0; w[c] && i < t->nrows; i++) {
            if (!printed(t, mask, k, i))
                continue;
            int cw = format_cell(buf, sizeof buf, sim_summary_get(&t->cells, i, c, 0.95),
                                 t->reps, &cols[c], div[c]);
            if (cw > w[c])
                w[c] = cw;
        }
    }
    /* A heading wider than its columns widens the last of them. */
    for (size_t c = 0; c < n;) {
        size_t e = run_end(cols, n, c);
        int span = w[c];
        for (size_t j = c + 1; j < e; j++)
            span += (w[j] ? 1 : 0) + w[j];
        const char *g = cols[c].group ? cols[c].group : "";
        int need = (int)strlen(g) + (g[0] && unit[c] ? 1 : 0) + (unit[c] ? (int)strlen(unit[c]) : 0);
        need += e - c > 1 && need ? 2 : 0;
        if (span && need > span)
            w[e - 1] += need - span;
        c = e;
    }
}

/* The line of group and unit headings: a group spans its columns, centred between dashes; a unit
 * sits right-aligned over its column. */
static void groups(FILE *f, const column *cols, size_t n, const char *const *unit, const int *w,
                   int nw)
{
    char line[2048], head[64];
    int len = snprintf(line, sizeof line, "%-*s", nw, "");
    for (size_t c = 0; c < n && len < (int)sizeof line - 256;) {
        if (!w[c]) {
            c++;
            continue;
        }
        size_t e = run_end(cols, n, c);
        int span = w[c];
        for (size_t j = c + 1; j < e; j++)
            span += w[j] ? 1 + w[j] : 0;
        const char *g = cols[c].group ? cols[c].group : "";
        snprintf(head, sizeof head, "%s%s%s", g, g[0] && unit[c] ? " " : "",
                 unit[c] ? unit[c] : "");
        int gl = (int)strlen(head);
        if (e - c > 1 && span - gl - 2 >= 2) {   /* " --- latency ms --- " */
            int left = (span - gl - 2) / 2, right = span - gl - 2 - left;
            line[len++] = ' ';
            for (int i = 0; i < left; i++)
                line[len++] = '-';
            len += snprintf(line + len, sizeof line - (size_t)len, " %s ", head);
            for (int i = 0; i < right; i++)
                line[len++] = '-';
            line[len] = '\0';
        } else if (e - c > 1) {   /* no room for dashes: the heading centred */
            int left = (span - gl) / 2;
            len += snprintf(line + len, sizeof line - (size_t)len, " %*s%-*s", left, "",
                            span - left, head);
        } else {
            len += snprintf(line + len, sizeof line - (size_t)len, " %*s", span, head);
        }
        c = e;
    }
    while (len > 0 && line[len - 1] == ' ')
        line[--len] = '\0';
    fprintf(f, "%s\n", line);
}

/* How the rows of a part too long to print whole are chosen: first by the requests (or
 * messages) that did not end well, the sum of the columns named in trouble (and of the `other`
 * column when other is set), then by busy, then by traffic; the words say so under the part. */
typedef struct ranking {
    const char *trouble[4];   /* NULL after the last */
    int other;
    const char *busy, *traffic, *words;
} ranking;

static const ranking flow_rank = { { "failed", "timeouts", "dropped" }, 1, "latency_p99", "sent",
                                   "most requests not ok first, then highest latency p99, then "
                                   "most sent" },
                     service_rank = { { "failed", "dropped" }, 1, "utilization", "arrivals",
                                      "most requests failed, dropped or other first, then "
                                      "highest utilization, then most arrivals" },
                     broker_rank = { { "dropped", "lost", "refused", "dead_lettered" }, 0,
                                     "depth_mean", "published",
                                     "most messages dropped, lost, refused or dead-lettered "
                                     "first, then deepest, then most published" };

/* Whether metric (NULL: the `other` column) is one of r's troubles. */
static int is_trouble(const ranking *r, const char *metric)
{
    if (!metric)
        return r->other;
    for (size_t q = 0; q < 4 && r->trouble[q]; q++)
        if (!strcmp(metric, r->trouble[q]))
            return 1;
    return 0;
}

static const ranking *ranking_of(const sim_result_kind *k)
{
    return k == sim_result_kind_flow()      ? &flow_rank
           : k == sim_result_kind_service() ? &service_rank
                                            : &broker_rank;
}

typedef struct ranked {
    double trouble, busy, traffic;
    size_t row;
} ranked;

/* The mean of column c of row i; 0 when it has none (a row without the value). */
static double cell_mean(const cli_table *t, size_t i, size_t c)
{
    sim_summary_stat s = sim_summary_get(&t->cells, i, c, 0.95);
    return s.n > 0 && !isnan(s.mean) ? s.mean : 0;
}

static int by_rank(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->trouble != y->trouble)
        return x->trouble > y->trouble ? -1 : 1;
    if (x->busy != y->busy)
        return x->busy > y->busy ? -1 : 1;
    if (x->traffic != y->traffic)
        return x->traffic > y->traffic ? -1 : 1;
    return x->row < y->row ? -1 : x->row > y->row;
}

/* The rows of part k to print, in order, into sel (nrows long); returns how many, and the
 * number of rows of the part in *all. All of them in declaration order when they are at most
 * limit (0: no limit), else the first limit by rank. */
static size_t choose(const cli_table *t, const sim_result_kind *k, const column *cols, size_t n,
                     uint64_t limit, size_t *sel, size_t *all)
{
    size_t m = 0;
    for (size_t i = 0; i < t->nrows; i++)
        if (t->kinds[i] == k && !t->hide[i])
            sel[m++] = i;
    *all = m;
    if (!limit || m <= limit)
        return m;
    const ranking *r = ranking_of(k);
    ranked *rk = malloc(m * sizeof *rk);
    if (!rk)   /* out of memory: the first rows, as declared */
        return (size_t)limit;
    for (size_t j = 0; j < m; j++) {
        rk[j] = (ranked){ 0, 0, 0, sel[j] };
        for (size_t c = 0; c < n; c++) {
            if (is_trouble(r, cols[c].metric))
                rk[j].trouble += cell_mean(t, sel[j], c);
            if (cols[c].metric && !strcmp(cols[c].metric, r->busy))
                rk[j].busy = cell_mean(t, sel[j], c);
            if (cols[c].metric && !strcmp(cols[c].metric, r->traffic))
                rk[j].traffic = cell_mean(t, sel[j], c);
        }
    }
    qsort(rk, m, sizeof *rk, by_rank);
    for (size_t j = 0; j < limit; j++)
        sel[j] = rk[j].row;
    free(rk);
    return (size_t)limit;
}

static void part(FILE *f, const cli_table *t, const sim_result_kind *k, int nw, uint64_t limit,
                 size_t *sel, unsigned char *mask)
{
    size_t n, all;
    const column *cols = columns_of(k, &n);
    int w[MAX_COLS];
    const char *unit[MAX_COLS];
    double div[MAX_COLS];
    char buf[96];
    size_t m = choose(t, k, cols, n, limit, sel, &all);
    memset(mask, 0, t->nrows);
    for (size_t j = 0; j < m; j++)
        mask[sel[j]] = 1;
    pick_units(t, mask, k, cols, n, unit, div);
    widths(t, mask, k, cols, n, unit, div, w);
    groups(f, cols, n, unit, w, nw);
    fprintf(f, "%-*s", nw, k->name);
    for (size_t c = 0; c < n; c++)
        if (w[c])
            fprintf(f, " %*s", w[c], cols[c].head);
    fprintf(f, "\n");
    for (size_t j = 0; j < m; j++) {
        size_t i = sel[j];
        fprintf(f, "%-*.*s", nw, nw, t->names[i]);
        for (size_t c = 0; c < n; c++) {
            if (!w[c])
                continue;
            int cw = format_cell(buf, sizeof buf, sim_summary_get(&t->cells, i, c, 0.95),
                                 t->reps, &cols[c], div[c]);
            fprintf(f, " %*s%s", w[c] - cw, "", buf);
        }
        fprintf(f, "\n");
    }
    if (m < all)
        fprintf(f, "(%zu of %zu %ss shown: %s; all in %ss.csv, or --rows 0)\n", m, all,
                k->name, ranking_of(k)->words, k->name);
}

void cli_table_print_header(FILE *f, const char *scenario, uint64_t reps, uint64_t seed)
{
    fprintf(f, "%s: %llu replication%s, seed %llu%s\n\n", scenario, (unsigned long long)reps,
            reps > 1 ? "s" : "", (unsigned long long)seed,
            reps > 1 ? " (mean ±95% CI half-width)" : "");
    fflush(f);   /* before the run, not after it */
}

void cli_table_print(const cli_table *t, FILE *f, const char *scenario, uint64_t seed,
                     const char *dir, uint64_t rows)
{
    size_t *sel = malloc((t->nrows + 1) * sizeof *sel);
    unsigned char *mask = malloc(t->nrows + 1);
    if (!sel || !mask) {
        free(sel);
        free(mask);
        fprintf(f, "(no summary table: out of memory)\n");
        return;
    }
    /* The names' column: as wide as the longest name ("orders/analytics"), 14 at least, 40 at
     * most (longer names are cut there). */
    int nw = 14;
    for (size_t i = 0; i < t->nrows; i++) {
        int len = (int)strlen(t->names[i]);
        nw = len > nw ? (len < 40 ? len : 40) : nw;
    }
    part(f, t, sim_result_kind_flow(), nw, rows, sel, mask);
    fprintf(f, "\n");
    part(f, t, sim_result_kind_service(), nw, rows, sel, mask);
    for (size_t i = 0; i < t->nrows; i++)
        if (t->kinds[i] == sim_result_kind_broker()) {
            fprintf(f, "\n");
            part(f, t, sim_result_kind_broker(), nw, rows, sel, mask);
            break;
        }
    free(sel);
    free(mask);
    size_t nf, ns;
    const column *fc = columns_of(sim_result_kind_flow(), &nf),
                 *sc = columns_of(sim_result_kind_service(), &ns);
    int other = 0;
    for (size_t c = 0; c < nf; c++)
        other |= !fc[c].metric && shown(t, NULL, sim_result_kind_flow(), &fc[c], c);
    for (size_t c = 0; c < ns; c++)
        other |= !sc[c].metric && shown(t, NULL, sim_result_kind_service(), &sc[c], c);
    if (other) {   /* name the causes it gathers, from the one list of causes */
        fprintf(f, "\nother:");
        for (int c = 0; c < SIM_NCAUSES; c++)
            if (c != SIM_CAUSE_OK && c != SIM_CAUSE_FAILED && c != SIM_CAUSE_DROPPED)
                fprintf(f, " %s", sim_cause_column((sim_cause)c));
        fprintf(f, " (timeouts: services only); a column each in the CSV files\n");
    }
    fprintf(f, "\nresults in %s/ (flows.csv services.csv replicas.csv endpoints.csv "
               "brokers.csv faults.csv timeseries.csv latency.csv run.json)\n",
            dir);
}
