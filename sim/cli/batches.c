/* batches: batch means over one long run (dessa run --batches B).
 *
 * The run after the warm-up is cut into B batches of equal length by sampling the time series
 * at that interval (so each time-series row after the warm-up is one batch); this sink sits in
 * front of the time-series writer, keeps per entity and metric the batch means' tally and the
 * sums for their lag-1 autocorrelation, and passes every row on. The interval for a metric is
 * the Student t interval over its batch means (B - 1 degrees of freedom), valid when the batches
 * are long enough to be nearly independent: the lag-1 autocorrelation of the batch means, written
 * next to it, says whether they are (|r1| well below 0.2 is the usual rule). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/error.h"
#include "stats/ci.h"

static const char *const metric_names[CLI_BATCH_METRICS] = {
    "throughput", "latency_mean", "latency_p50", "latency_p99", "queue", "utilization",
    "threads_working", "threads_blocked", "cores_busy",
};

static void values(const sim_series_row *r, double *v)
{
    v[0] = r->throughput;
    v[1] = r->latency_mean;
    v[2] = r->latency_p50;
    v[3] = r->latency_p99;
    v[4] = r->queue;
    v[5] = r->utilization;
    v[6] = r->threads_working;
    v[7] = r->threads_blocked;
    v[8] = r->cores_busy;
}

void cli_batches_init(cli_batches *b, double warmup, double sample, sim_series_fn next, void *ud)
{
    memset(b, 0, sizeof *b);
    b->warmup = warmup;
    b->sample = sample;
    b->next = next;
    b->next_ud = ud;
    b->tick = -1;
}

void cli_batches_fini(cli_batches *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->slots[i].entity);
        free(b->slots[i].kind);
    }
    free(b->slots);
    b->slots = NULL;
    b->n = b->cap = 0;
}

int cli_batches_write(void *ud, const sim_series_row *row)
{
    cli_batches *b = ud;
    /* A row covers (time - sample, time]: only rows wholly after the warm-up are batches. */
    if (row->time - b->sample >= b->warmup * (1 - 1e-12)) {
        if (row->time != b->tick) {
            b->tick = row->time;
            b->pos = 0;
        }
        if (b->pos == b->n) {   /* the first batch: the entities, in their order */
            if (b->n == b->cap) {
                size_t cap = b->cap ? 2 * b->cap : 16;
                cli_batch_slot *s = realloc(b->slots, cap * sizeof *s);
                if (!s)
                    return SIM_ENOMEM;
                b->slots = s;
                b->cap = cap;
            }
            cli_batch_slot *s = &b->slots[b->n];
            memset(s, 0, sizeof *s);
            s->entity = strdup(row->entity);
            s->kind = strdup(row->kind);
            if (!s->entity || !s->kind) {
                free(s->entity);
                free(s->kind);
                return SIM_ENOMEM;
            }
            for (int m = 0; m < CLI_BATCH_METRICS; m++)
                sim_tally_reset(&s->t[m]);
            b->n++;
        }
        cli_batch_slot *s = &b->slots[b->pos++];
        double v[CLI_BATCH_METRICS];
        values(row, v);
        for (int m = 0; m < CLI_BATCH_METRICS; m++) {
            if (isnan(v[m])) {
                s->gap[m] = 1;   /* a batch without a value: no autocorrelation */
                continue;
            }
            if (s->t[m].n == 0)
                s->first[m] = v[m];
            else
                s->cross[m] += s->last[m] * v[m];
            s->last[m] = v[m];
            sim_tally_add(&s->t[m], v[m]);
        }
    }
    return b->next ? b->next(b->next_ud, row) : SIM_OK;
}

/* The lag-1 autocorrelation of a metric's batch means, or NaN. */
static double lag1(const cli_batch_slot *s, int m)
{
    const sim_tally *t = &s->t[m];
    if (s->gap[m] || t->n < 3)
        return NAN;
    double n = (double)t->n, mean = t->mean, sum = mean * n;
    double den = t->m2;
    if (!(den > 0))
        return NAN;
    double num = s->cross[m] - mean * (sum - s->last[m]) - mean * (sum - s->first[m]) +
                 (n - 1) * mean * mean;
    return num / den;
}

const char *const *cli_batches_columns(size_t *n)
{
    static const char *const cols[] = { "rep", "entity", "kind", "metric", "batches", "mean",
                                        "half_width", "lag1" };
    *n = sizeof cols / sizeof cols[0];
    return cols;
}

int cli_batches_rows(sim_file *f, const cli_batches *b, uint64_t rep)
{
    for (size_t i = 0; i < b->n; i++) {
        const cli_batch_slot *s = &b->slots[i];
        for (int m = 0; m < CLI_BATCH_METRICS; m++) {
            const sim_tally *t = &s->t[m];
            sim_csv_u64(f, rep);
            sim_csv_str(f, s->entity);
            sim_csv_str(f, s->kind);
            sim_csv_str(f, metric_names[m]);
            sim_csv_u64(f, t->n);
            sim_csv_real(f, t->n ? sim_tally_mean(t) : NAN);
            sim_csv_real(f, t->n > 1 ? sim_ci_t_halfwidth(t, 0.95) : NAN);
            sim_csv_real(f, lag1(s, m));
            sim_csv_end(f);
        }
    }
    return f->err ? -1 : 0;
}
