/* table: the summary printed after a run — one row per flow and per service, each cell the mean
 * across replications with its 95% t half-width. The statistics live in stats/summary; this file
 * only picks the columns and formats them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/error.h"
#include "stats/summary.h"

/* One column: a heading, the metric shown (NULL: "errors", every error cause but dropped), a
 * scale applied to the value, decimals and width. */
typedef struct column {
    const char *head, *metric;
    double scale;
    int prec, width;
} column;

static const column flow_cols[] = {
    { "sent", "sent", 1, 0, 9 },          { "ok", "ok", 1, 0, 9 },
    { "errors", NULL, 1, 0, 7 },          { "dropped", "dropped", 1, 0, 7 },
    { "in flight", "in_flight", 1, 0, 9 }, { "thru/s", "throughput", 1, 2, 8 },  { "mean ms", "latency_mean", 1e3, 2, 9 },
    { "p50 ms", "latency_p50", 1e3, 2, 9 }, { "p99 ms", "latency_p99", 1e3, 2, 9 },
    { "max ms", "latency_max", 1e3, 2, 9 },
};
static const column service_cols[] = {
    { "arrivals", "arrivals", 1, 0, 9 },  { "completed", "completed", 1, 0, 9 },
    { "failed", "failed", 1, 0, 7 },      { "dropped", "dropped", 1, 0, 7 },
    { "util", "utilization", 1, 3, 8 },   { "working", "threads_working", 1, 2, 8 },
    { "blocked", "threads_blocked", 1, 2, 8 }, { "cores", "cores_busy", 1, 2, 7 },
    { "queue", "queue_mean", 1, 2, 9 },   { "wait ms", "wait_mean", 1e3, 2, 9 },
};
/* Brokers: a row per broker, and one per topic group. */
static const column broker_cols[] = {
    { "published", "published", 1, 0, 9 }, { "acked", "acked", 1, 0, 9 },
    { "dropped", "dropped", 1, 0, 7 },     { "lost", "lost", 1, 0, 7 },
    { "depth", "depth_mean", 1, 2, 8 },    { "max", "depth_max", 1, 0, 7 },
    { "lag", "lag_mean", 1, 2, 8 },        { "age ms", "age_mean", 1e3, 2, 9 },
    { "sojourn ms", "sojourn_mean", 1e3, 2, 10 }, { "cons util", "consumer_utilization", 1, 3, 9 },
};
#define NCOLS(c) (sizeof(c) / sizeof((c)[0]))
#define MAX_COLS (NCOLS(flow_cols) > NCOLS(service_cols) ? NCOLS(flow_cols) : NCOLS(service_cols))

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

/* Requests that ended in an error other than a full queue. */
static double errors_of(const sim_entity_result *x)
{
    return sim_entity_value(x, "sent") - sim_entity_value(x, "ok") -
           sim_entity_value(x, "dropped") - sim_entity_value(x, "in_flight");
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
        t->hide[t->nrows] = x->sub && !strcmp(x->sub, x->name);
        if (x->sub && x->sub[0]) {   /* a broker's group: "broker/group" */
            size_t len = strlen(x->name) + strlen(x->sub) + 2;
            if ((t->names[t->nrows] = malloc(len)))
                snprintf(t->names[t->nrows], len, "%s/%s", x->name, x->sub);
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
            double v = cols[k].metric ? sim_entity_value(x, cols[k].metric) : errors_of(x);
            sim_summary_add(&t->cells, i, k, v * cols[k].scale);
        }
    }
    return SIM_OK;
}

/* Prints "mean" (one replication) or "mean±half" (the 95% t half-width across several). */
static void cell(FILE *f, sim_summary_stat s, uint64_t reps, const column *c)
{
    char buf[64];
    int w = c->width + (reps > 1 ? 7 : 0);
    if (s.n == 0)
        snprintf(buf, sizeof buf, "-");
    else if (reps < 2)
        snprintf(buf, sizeof buf, "%.*f", c->prec, s.mean);
    else
        snprintf(buf, sizeof buf, "%.*f±%.*f", c->prec, s.mean, c->prec,
                 isnan(s.half) ? 0.0 : s.half);
    fprintf(f, " %*s", w + (strstr(buf, "±") ? 1 : 0), buf);   /* ± is two bytes wide */
}

static void part(FILE *f, const cli_table *t, const sim_result_kind *k)
{
    size_t n;
    const column *cols = columns_of(k, &n);
    fprintf(f, "%-14s", k->name);
    for (size_t c = 0; c < n; c++)
        fprintf(f, " %*s", cols[c].width + (t->reps > 1 ? 7 : 0), cols[c].head);
    fprintf(f, "\n");
    for (size_t i = 0; i < t->nrows; i++) {
        if (t->kinds[i] != k || t->hide[i])
            continue;
        fprintf(f, "%-14.14s", t->names[i]);
        for (size_t c = 0; c < n; c++)
            cell(f, sim_summary_get(&t->cells, i, c, 0.95), t->reps, &cols[c]);
        fprintf(f, "\n");
    }
}

void cli_table_print(const cli_table *t, FILE *f, const char *scenario, uint64_t seed,
                     const char *dir)
{
    uint64_t n = t->reps;
    fprintf(f, "%s: %llu replication%s, seed %llu%s\n\n", scenario, (unsigned long long)n,
            n > 1 ? "s" : "", (unsigned long long)seed,
            n > 1 ? " (mean ±95% CI half-width)" : "");
    part(f, t, sim_result_kind_flow());
    fprintf(f, "\n");
    part(f, t, sim_result_kind_service());
    for (size_t i = 0; i < t->nrows; i++)
        if (t->kinds[i] == sim_result_kind_broker()) {
            fprintf(f, "\n");
            part(f, t, sim_result_kind_broker());
            break;
        }
    fprintf(f, "\nresults in %s/ (flows.csv services.csv timeseries.csv latency.csv brokers.csv "
               "run.json)\n",
            dir);
}
