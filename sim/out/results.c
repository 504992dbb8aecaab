/* results: the output tables of a run; see results.h and docs/outputs.md. */
#include "out/results.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "core/error.h"
#include "model/internal.h"

static const char *const file_names[SIM_OUT_NFILES] = {
    "flows.csv", "services.csv", "timeseries.csv", "latency.csv", "run.json",
};

#define COLUMN_NAME(f) "," #f
#define FLOW_COLUMNS "rep,flow" SIM_FLOW_FIELDS(COLUMN_NAME)
#define SERVICE_COLUMNS "rep,service" SIM_SERVICE_FIELDS(COLUMN_NAME)
#define SERIES_COLUMNS                                                                       \
    "rep,time,entity,kind,throughput,latency_mean,latency_p50,latency_p99,queue,utilization," \
    "errors"
#define LATENCY_COLUMNS "rep,flow,lower,upper,count,cdf"

int sim_results_open(sim_results *r, const char *dir)
{
    memset(r, 0, sizeof *r);
    int rc = sim_mkdirs(dir);
    for (int i = 0; rc == SIM_OK && i < SIM_OUT_NFILES; i++)
        rc = sim_file_open(&r->files[i], dir, file_names[i]);
    if (rc != SIM_OK) {
        sim_results_abort(r);
        return rc;
    }
    sim_csv_header(&r->files[SIM_OUT_FLOWS], FLOW_COLUMNS);
    sim_csv_header(&r->files[SIM_OUT_SERVICES], SERVICE_COLUMNS);
    sim_csv_header(&r->files[SIM_OUT_TIMESERIES], SERIES_COLUMNS);
    sim_csv_header(&r->files[SIM_OUT_LATENCY], LATENCY_COLUMNS);
    return SIM_OK;
}

void sim_results_abort(sim_results *r)
{
    for (int i = 0; i < SIM_OUT_NFILES; i++)
        sim_file_abort(&r->files[i]);
}

int sim_results_commit(sim_results *r, const char *run_json)
{
    sim_file *j = &r->files[SIM_OUT_RUN];
    if (fputs(run_json, j->f) == EOF)
        j->failed = 1;
    for (int i = 0; i < SIM_OUT_NFILES; i++)
        if (sim_file_commit(&r->files[i]) != SIM_OK) {
            sim_results_abort(r);
            return SIM_EIO;
        }
    return SIM_OK;
}

/* ---- summaries ---------------------------------------------------------------------- */

uint32_t sim_results_nflows(const sim_engine *e) { return e->nclients; }
uint32_t sim_results_nservices(const sim_engine *e) { return e->nsvcs; }

static double window(const sim_engine *e) { return e->cfg.duration - e->cfg.warmup; }


void sim_results_flow(const sim_engine *e, uint32_t i, sim_flow_summary *o)
{
    const sim_client *c = &e->clients[i];
    const sim_flow_counts *w = &c->win;
    o->name = c->name;
    uint64_t ended = 0;
    for (int k = 0; k < SIM_NCAUSES; k++)
        ended += w->by[k];
    o->sent = (double)w->sent;
    o->ok = (double)w->by[SIM_CAUSE_OK];
    o->failed = (double)(ended - w->by[SIM_CAUSE_OK] - w->by[SIM_CAUSE_TIMEOUT] -
                         w->by[SIM_CAUSE_DROPPED]);
    o->timeouts = (double)w->by[SIM_CAUSE_TIMEOUT];
    o->dropped = (double)w->by[SIM_CAUSE_DROPPED];
    o->in_flight = (double)(w->sent - ended);
    o->throughput = (double)w->by[SIM_CAUSE_OK] / window(e);
    o->latency_mean = sim_hist_mean(&c->lat_hist);
    o->latency_p50 = sim_hist_quantile(&c->lat_hist, 0.50);
    o->latency_p90 = sim_hist_quantile(&c->lat_hist, 0.90);
    o->latency_p99 = sim_hist_quantile(&c->lat_hist, 0.99);
    o->latency_p999 = sim_hist_quantile(&c->lat_hist, 0.999);
    o->latency_max = c->lat_hist.count ? c->lat_hist.max : NAN;
    o->completion_mean = sim_hist_mean(&c->compl_hist);
    o->completion_p99 = sim_hist_quantile(&c->compl_hist, 0.99);
}

void sim_results_service(const sim_engine *e, uint32_t i, sim_service_summary *o)
{
    const sim_service *s = &e->svcs[i];
    const double end = e->cfg.duration;
    o->name = s->name;
    o->arrivals = (double)s->win.arrivals;
    uint64_t ended = 0;
    for (int k = 0; k < SIM_NCAUSES; k++)
        ended += s->win.by[k];
    o->completed = (double)s->win.by[SIM_CAUSE_OK];
    o->failed = (double)(ended - s->win.by[SIM_CAUSE_OK] - s->win.by[SIM_CAUSE_DROPPED]);
    o->dropped = (double)s->win.by[SIM_CAUSE_DROPPED];
    o->in_flight = (double)s->in_flight;
    o->throughput = (double)s->win.by[SIM_CAUSE_OK] / window(e);
    o->utilization = sim_tw_mean(&s->tw_busy, end) / ((double)s->cfg.workers * s->cfg.replicas);
    o->queue_mean = sim_tw_mean(&s->tw_queue, end);
    o->queue_max = s->tw_queue.max;
    o->wait_mean = sim_hist_mean(&s->wait_hist);
    o->wait_p99 = sim_hist_quantile(&s->wait_hist, 0.99);
    o->residence_mean = s->resid_n ? s->resid_sum / (double)s->resid_n : NAN;
}

/* ---- rows --------------------------------------------------------------------------- */


static void latency_rows(sim_file *f, uint64_t rep, const sim_client *c)
{
    double lo, hi, acc = 0;
    uint64_t n;
    for (long b = sim_hist_next(&c->lat_hist, -1, &lo, &hi, &n); b >= 0;
         b = sim_hist_next(&c->lat_hist, b, &lo, &hi, &n)) {
        acc += (double)n;
        sim_csv_u64(f, rep);
        sim_csv_str(f, c->name);
        sim_csv_num(f, lo);
        sim_csv_num(f, hi);
        sim_csv_u64(f, n);
        sim_csv_num(f, acc / (double)c->lat_hist.count);
        sim_csv_end(f);
    }
}

int sim_results_add(sim_results *r, const sim_engine *e, uint64_t rep)
{
    sim_file *f = &r->files[SIM_OUT_FLOWS];
    for (uint32_t i = 0; i < e->nclients; i++) {
        sim_flow_summary s;
        sim_results_flow(e, i, &s);
        sim_csv_u64(f, rep);
        sim_csv_str(f, s.name);
#define WRITE(x) sim_csv_num(f, s.x);
        SIM_FLOW_FIELDS(WRITE)
        sim_csv_end(f);
        latency_rows(&r->files[SIM_OUT_LATENCY], rep, &e->clients[i]);
    }
    f = &r->files[SIM_OUT_SERVICES];
    for (uint32_t i = 0; i < e->nsvcs; i++) {
        sim_service_summary s;
        sim_results_service(e, i, &s);
        sim_csv_u64(f, rep);
        sim_csv_str(f, s.name);
        SIM_SERVICE_FIELDS(WRITE)
        sim_csv_end(f);
#undef WRITE
    }
    f = &r->files[SIM_OUT_TIMESERIES];
    for (size_t i = 0; i < e->nsamples; i++) {
        const sim_series_row *p = &e->samples[i];
        sim_csv_u64(f, rep);
        sim_csv_num(f, p->time);
        sim_csv_str(f, p->entity);
        sim_csv_str(f, p->kind);
        double v[] = { p->throughput, p->latency_mean, p->latency_p50, p->latency_p99,
                       p->queue, p->utilization, (double)p->errors };
        for (size_t k = 0; k < sizeof v / sizeof v[0]; k++)
            sim_csv_num(f, v[k]);
        sim_csv_end(f);
    }
    for (int i = 0; i < SIM_OUT_NFILES; i++)
        if (r->files[i].failed || (r->files[i].f && ferror(r->files[i].f)))
            return SIM_EIO;
    return SIM_OK;
}
