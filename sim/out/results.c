/* results: the output tables of a run from replication results; see results.h. */
#include "out/results.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

static const char *const table_names[SIM_OUT_NTABLES] = {
    "flows.csv", "services.csv", "timeseries.csv", "latency.csv", "replicas.csv", "endpoints.csv",
    "brokers.csv", "faults.csv",
};
static const char *const set_names[] = {
    "flows.csv", "services.csv", "timeseries.csv", "latency.csv", "replicas.csv",
    "endpoints.csv", "brokers.csv", "faults.csv", SIM_OUT_RUN_JSON,
    "point.csv",   /* a sweep's point: its rows of sweep.csv (sim/cli/sweep.c) */
    "batches.csv", /* dessa run --batches (sim/cli/batches.c) */
};

/* The context columns, first in every row. */
static const char *const context_columns[] = { "rep" };
#define NCONTEXT (sizeof context_columns / sizeof context_columns[0])

static void write_context(sim_file *f, const sim_context *ctx)
{
    sim_csv_u64(f, ctx->rep);
}

static const char *const series_columns[] = {
    "time", "entity", "kind", "throughput", "latency_mean", "latency_p50", "latency_p99",
    "queue", "utilization", "threads_working", "threads_blocked", "cores_busy", "errors",
    "lag", "down", "lag_seconds",
};
static const char *const latency_columns[] = { "flow", "lower", "upper", "count", "cdf" };
static const char *const fault_columns[] = { "time", "target", "replica", "kind", "event" };

/* Header: the context columns, then `first` (or the fixed list), the kind's part column if it
 * has one, then the kind's metrics. */
static int header(sim_file *f, const char *first, const sim_result_kind *k,
                  const char *const *fixed, size_t nfixed)
{
    int part = k && k->part;
    size_t n = NCONTEXT + (first ? 1 : 0) + part + (k ? k->nmetrics : 0) + nfixed, j = 0;
    const char **names = sim_calloc(n, sizeof *names);
    if (!names)
        return SIM_ENOMEM;
    for (size_t i = 0; i < NCONTEXT; i++)
        names[j++] = context_columns[i];
    if (first)
        names[j++] = first;
    if (part)
        names[j++] = k->part;
    for (size_t i = 0; k && i < k->nmetrics; i++)
        names[j++] = k->metrics[i].name;
    for (size_t i = 0; i < nfixed; i++)
        names[j++] = fixed[i];
    sim_csv_header(f, names, n);
    sim_free((void *)names);
    return SIM_OK;
}

const char *sim_results_error(const sim_results *r) { return sim_outdir_error(&r->dir); }

static int file_failed(sim_results *r, const sim_file *f)
{
    return sim_outdir_fail(&r->dir, f->path ? f->path : "", f->err, NULL);
}

int sim_results_file(sim_results *r, const char *name, sim_file *f)
{
    char path[4096];
    memset(f, 0, sizeof *f);
    if (sim_outdir_path(&r->dir, name, path, sizeof path) != SIM_OK)
        return sim_outdir_fail(&r->dir, name, ENAMETOOLONG, NULL);
    int rc = sim_file_open(f, path);
    if (rc == SIM_EIO)
        file_failed(r, f);
    return rc;
}

int sim_results_close(sim_results *r, sim_file *f)
{
    return sim_file_close_sync(f, !r->nosync) == SIM_OK ? SIM_OK : file_failed(r, f);
}

/* replicas.csv and endpoints.csv: parts of a service, named by the service and the part. */
static int parts_headers(sim_results *r)
{
    int rc = header(&r->files[SIM_OUT_REPLICAS], "service", sim_result_kind_replica(), NULL, 0);
    if (rc == SIM_OK)
        rc = header(&r->files[SIM_OUT_ENDPOINTS], "service", sim_result_kind_endpoint(), NULL, 0);
    return rc;
}

int sim_results_open(sim_results *r, const char *target)
{
    memset(r, 0, sizeof *r);
    int rc = sim_outdir_open(&r->dir, target, set_names, sizeof set_names / sizeof set_names[0]);
    for (int i = 0; rc == SIM_OK && i < SIM_OUT_NTABLES; i++)
        rc = sim_results_file(r, table_names[i], &r->files[i]);
    if (rc == SIM_OK)
        rc = header(&r->files[SIM_OUT_FLOWS], "flow", sim_result_kind_flow(), NULL, 0);
    if (rc == SIM_OK)
        rc = header(&r->files[SIM_OUT_SERVICES], "service", sim_result_kind_service(), NULL, 0);
    if (rc == SIM_OK)
        rc = header(&r->files[SIM_OUT_BROKERS], "broker", sim_result_kind_broker(), NULL, 0);
    if (rc == SIM_OK)
        rc = header(&r->files[SIM_OUT_TIMESERIES], NULL, NULL, series_columns,
                    sizeof series_columns / sizeof series_columns[0]);
    if (rc == SIM_OK)
        rc = header(&r->files[SIM_OUT_LATENCY], NULL, NULL, latency_columns,
                    sizeof latency_columns / sizeof latency_columns[0]);
    if (rc == SIM_OK)
        rc = header(&r->files[SIM_OUT_FAULTS], NULL, NULL, fault_columns,
                    sizeof fault_columns / sizeof fault_columns[0]);
    if (rc == SIM_OK)
        rc = parts_headers(r);
    if (rc != SIM_OK)
        sim_results_abort(r);
    return rc;
}

void sim_results_abort(sim_results *r)
{
    for (int i = 0; i < SIM_OUT_NTABLES; i++)
        sim_file_fini(&r->files[i], 0);
    sim_outdir_abort(&r->dir);   /* removes the staging directory and its files */
}

int sim_results_commit(sim_results *r)
{
    int rc = SIM_OK;
    for (int i = 0; rc == SIM_OK && i < SIM_OUT_NTABLES; i++)
        rc = sim_results_close(r, &r->files[i]);
    if (rc == SIM_OK)
        rc = sim_outdir_commit(&r->dir);
    sim_results_abort(r);
    return rc;
}

int sim_results_stage(sim_results *r, sim_outdir *d)
{
    memset(d, 0, sizeof *d);
    int rc = SIM_OK;
    for (int i = 0; rc == SIM_OK && i < SIM_OUT_NTABLES; i++)
        rc = sim_results_close(r, &r->files[i]);
    if (rc != SIM_OK)
        return rc;
    for (int i = 0; i < SIM_OUT_NTABLES; i++)
        sim_file_fini(&r->files[i], 0);
    *d = r->dir;
    memset(&r->dir, 0, sizeof r->dir);
    return SIM_OK;
}

/* ---- rows --------------------------------------------------------------------------- */

static void entity_row(sim_file *f, const sim_context *ctx, const sim_entity_result *x)
{
    write_context(f, ctx);
    sim_csv_str(f, x->name);
    if (x->kind->part)
        sim_csv_str(f, x->part ? x->part : "");
    for (size_t i = 0; i < x->kind->nmetrics; i++) {
        if (x->kind->metrics[i].type == SIM_METRIC_COUNT)
            sim_csv_u64(f, x->m[i].count);
        else
            sim_csv_real(f, x->m[i].real);
    }
    sim_csv_end(f);
}

static void latency_rows(sim_file *f, const sim_context *ctx, const sim_entity_result *x)
{
    uint64_t total = 0, acc = 0;
    for (size_t b = 0; b < x->nbuckets; b++)
        total += x->buckets[b].count;
    for (size_t b = 0; b < x->nbuckets; b++) {
        const sim_bucket *k = &x->buckets[b];
        acc += k->count;
        write_context(f, ctx);
        sim_csv_str(f, x->name);
        sim_csv_real(f, k->lower);
        sim_csv_real(f, k->upper);
        sim_csv_u64(f, k->count);
        sim_csv_real(f, (double)acc / (double)total);
        sim_csv_end(f);
    }
}

int sim_results_add(sim_results *r, const sim_context *ctx, const sim_rep_result *res)
{
    for (size_t i = 0; i < res->nentities; i++) {
        const sim_entity_result *x = &res->entities[i];
        if (x->kind == sim_result_kind_flow()) {
            entity_row(&r->files[SIM_OUT_FLOWS], ctx, x);
            latency_rows(&r->files[SIM_OUT_LATENCY], ctx, x);
        } else if (x->kind == sim_result_kind_service()) {
            entity_row(&r->files[SIM_OUT_SERVICES], ctx, x);
        } else if (x->kind == sim_result_kind_replica()) {
            entity_row(&r->files[SIM_OUT_REPLICAS], ctx, x);
        } else if (x->kind == sim_result_kind_endpoint()) {
            entity_row(&r->files[SIM_OUT_ENDPOINTS], ctx, x);
        } else if (x->kind == sim_result_kind_broker()) {
            entity_row(&r->files[SIM_OUT_BROKERS], ctx, x);
        }
    }
    sim_file *f = &r->files[SIM_OUT_FAULTS];
    for (size_t i = 0; i < res->nfaults; i++) {
        const sim_fault_row *x = &res->faults[i];
        write_context(f, ctx);
        sim_csv_real(f, x->time);
        sim_csv_str(f, x->target);
        if (x->replica < 0)
            sim_csv_str(f, "");
        else
            sim_csv_u64(f, (uint64_t)x->replica);
        sim_csv_str(f, x->kind);
        sim_csv_str(f, x->event ? x->event : x->start ? "start" : "end");
        sim_csv_end(f);
    }
    for (int i = 0; i < SIM_OUT_NTABLES; i++)
        if (r->files[i].err)
            return file_failed(r, &r->files[i]);
    return SIM_OK;
}

/* ---- the time series ------------------------------------------------------------------ */

/* A sink for replication ctx's rows: into direct when not NULL, else a file of its own. */
static void series_init(sim_series_sink *s, const sim_context *ctx, sim_file *direct)
{
    s->ctx = *ctx;
    s->has_time = 0;
    s->direct = direct;
    memset(s->memo, 0, sizeof s->memo);
}

int sim_series_open(sim_results *r, const sim_context *ctx, sim_series_sink *s)
{
    char name[64];
    snprintf(name, sizeof name, ".series-%" PRIu64, ctx->rep);
    series_init(s, ctx, NULL);
    return sim_results_file(r, name, &s->f);
}

int sim_series_open_direct(sim_results *r, const sim_context *ctx, sim_series_sink *s)
{
    memset(&s->f, 0, sizeof s->f);
    series_init(s, ctx, &r->files[SIM_OUT_TIMESERIES]);
    return s->direct->err ? file_failed(r, s->direct) : SIM_OK;
}

static sim_file *series_file(sim_series_sink *s) { return s->direct ? s->direct : &s->f; }

/* A real of the time series, spelled as sim_csv_real does: from the memo when its bits were
 * spelled lately. */
static void series_real(sim_series_sink *s, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    if (v != v) {   /* NaN: an empty field; 0 (not -0): "0" */
        sim_csv_raw(series_file(s), "", 0);
        return;
    }
    if (bits == 0) {
        sim_csv_raw(series_file(s), "0", 1);
        return;
    }
    struct sim_series_memo *m = &s->memo[(bits * UINT64_C(0x9e3779b97f4a7c15)) >> 58];
    if (m->bits != bits) {
        char buf[SIM_REAL_LEN];
        sim_format_real(buf, v);
        size_t n = strlen(buf);
        if (n >= sizeof m->text) {   /* never: a real takes at most 24 characters */
            sim_csv_raw(series_file(s), buf, n);
            return;
        }
        m->bits = bits;
        m->len = (uint8_t)n;
        memcpy(m->text, buf, n);
    }
    sim_csv_raw(series_file(s), m->text, m->len);
}

int sim_series_write(void *sink, const sim_series_row *row)
{
    sim_series_sink *s = sink;
    sim_file *f = series_file(s);
    write_context(f, &s->ctx);
    if (!s->has_time || row->time != s->time) {
        sim_format_real(s->time_text, row->time);
        s->time = row->time;
        s->has_time = 1;
    }
    sim_csv_raw(f, s->time_text, strlen(s->time_text));   /* a number: never quoted */
    sim_csv_str(f, row->entity);
    sim_csv_raw(f, row->kind, strlen(row->kind));         /* a kind's name: never quoted */
    series_real(s, row->throughput);
    series_real(s, row->latency_mean);
    series_real(s, sim_result_quantile(row->latency_p50));
    series_real(s, sim_result_quantile(row->latency_p99));
    series_real(s, row->queue);
    series_real(s, row->utilization);
    series_real(s, row->threads_working);
    series_real(s, row->threads_blocked);
    series_real(s, row->cores_busy);
    sim_csv_u64(f, row->errors);
    series_real(s, row->lag);
    series_real(s, row->down);
    series_real(s, row->lag_seconds);
    sim_csv_end(f);
    return f->err ? SIM_EIO : SIM_OK;
}

int sim_results_add_series(sim_results *r, sim_series_sink *s, const atomic_int *stop)
{
    sim_file *f = &s->f;
    int rc = SIM_OK;
    errno = 0;
    if (s->direct) {   /* the rows are in timeseries.csv already */
        rc = s->direct->err ? file_failed(r, s->direct) : SIM_OK;
    } else if (fflush(f->f) != 0 || f->err) {
        if (!f->err)
            f->err = errno ? errno : EIO;
        rc = file_failed(r, f);
    } else {
        rewind(f->f);
        sim_file *ts = &r->files[SIM_OUT_TIMESERIES];
        if (sim_file_append(ts, f->f, stop) != SIM_OK)
            rc = file_failed(r, ts);
    }
    sim_series_discard(s);
    return rc;
}

void sim_series_discard(sim_series_sink *s)
{
    sim_file_fini(&s->f, 1);
}
