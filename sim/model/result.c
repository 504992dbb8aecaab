/* result: a finished engine's results copied out as a value; see result.h.
 *
 * The only file outside the engine's own modules that reads model/internal.h. */
#include "model/result.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/check.h"
#include "core/decimal.h"
#include "core/error.h"
#include "model/cause.h"
#include "model/internal.h"
#include "model/host.h"
#include "model/fault.h"
#include "model/retry.h"

/* ---- the kinds and their columns ------------------------------------------------------ */

/* Flows: the columns before the causes that are not among the first ones. */
enum { F_SENT, F_OK, F_FAILED, F_TIMEOUTS, F_DROPPED, F_IN_FLIGHT, F_THROUGHPUT, F_LAT_MEAN,
       F_LAT_P50, F_LAT_P90, F_LAT_P99, F_LAT_P999, F_LAT_MAX, F_COMPL_MEAN, F_COMPL_P50,
       F_COMPL_P99, F_INCOMPLETE, F_HEAD };
/* Services likewise. */
enum { S_ARRIVALS, S_COMPLETED, S_FAILED, S_DROPPED, S_IN_FLIGHT, S_THROUGHPUT, S_UTIL,
       S_QUEUE_MEAN, S_QUEUE_MAX, S_WAIT_MEAN, S_WAIT_P99, S_RESID_MEAN, S_WORKING, S_BLOCKED,
       S_CORES, S_CPU_UTIL, S_HEAD };

#define C SIM_METRIC_COUNT
#define R SIM_METRIC_REAL
/* Columns added after the causes (their places follow the causes', so earlier columns stay). */
enum { FT_ATTEMPTS, FT_AVAILABILITY, FT_N };
enum { ST_RETRIES, ST_ABANDONED, ST_UPTIME, ST_LATE, ST_LINK_LOST, ST_N };
enum { PT_RETRIES, PT_UPTIME, PT_LATE, PT_N };
enum { ET_RETRIES, ET_ABANDONED, ET_BREAKER_OPENS, ET_LATE, ET_N };
static const sim_metric_def flow_tail[FT_N] = { { "attempts", SIM_METRIC_COUNT },
                                                { "availability", SIM_METRIC_REAL } };
static const sim_metric_def service_tail[ST_N] = { { "retries", SIM_METRIC_COUNT },
                                                   { "abandoned", SIM_METRIC_COUNT },
                                                   { "uptime", SIM_METRIC_REAL },
                                                   { "late", SIM_METRIC_COUNT },
                                                   { "link_lost", SIM_METRIC_COUNT } };
static const sim_metric_def replica_tail[PT_N] = { { "retries", SIM_METRIC_COUNT },
                                                   { "uptime", SIM_METRIC_REAL },
                                                   { "late", SIM_METRIC_COUNT } };
static const sim_metric_def endpoint_tail[ET_N] = { { "retries", SIM_METRIC_COUNT },
                                                    { "abandoned", SIM_METRIC_COUNT },
                                                    { "breaker_opens", SIM_METRIC_COUNT },
                                                    { "late", SIM_METRIC_COUNT } };
static sim_metric_def flow_defs[F_HEAD + SIM_NCAUSES + FT_N] = {
    [F_SENT] = { "sent", C },           [F_IN_FLIGHT] = { "in_flight", C },
    [F_THROUGHPUT] = { "throughput", R }, [F_LAT_MEAN] = { "latency_mean", R },
    [F_LAT_P50] = { "latency_p50", R },   [F_LAT_P90] = { "latency_p90", R },
    [F_LAT_P99] = { "latency_p99", R },   [F_LAT_P999] = { "latency_p999", R },
    [F_LAT_MAX] = { "latency_max", R },   [F_COMPL_MEAN] = { "completion_mean", R },
    [F_COMPL_P50] = { "completion_p50", R },
    [F_COMPL_P99] = { "completion_p99", R }, [F_INCOMPLETE] = { "incomplete", C },
};
static sim_metric_def service_defs[S_HEAD + SIM_NCAUSES + ST_N] = {
    [S_ARRIVALS] = { "arrivals", C },     [S_COMPLETED] = { "completed", C },
    [S_IN_FLIGHT] = { "in_flight", C },   [S_THROUGHPUT] = { "throughput", R },
    [S_UTIL] = { "utilization", R },      [S_QUEUE_MEAN] = { "queue_mean", R },
    [S_QUEUE_MAX] = { "queue_max", R },   [S_WAIT_MEAN] = { "wait_mean", R },
    [S_WAIT_P99] = { "wait_p99", R },     [S_RESID_MEAN] = { "residence_mean", R },
    [S_WORKING] = { "threads_working", R }, [S_BLOCKED] = { "threads_blocked", R },
    [S_CORES] = { "cores_busy", R },      [S_CPU_UTIL] = { "cpu_utilization", R },
};
/* Replicas: a service's figures, one row per replica. */
enum { P_ARRIVALS, P_COMPLETED, P_FAILED, P_DROPPED, P_IN_FLIGHT, P_THROUGHPUT, P_UTIL,
       P_QUEUE_MEAN, P_QUEUE_MAX, P_WORKING, P_BLOCKED, P_IDLE, P_CORES, P_CPU_UTIL, P_HEAD };
static sim_metric_def replica_defs[P_HEAD + SIM_NCAUSES + PT_N] = {
    [P_ARRIVALS] = { "arrivals", C },     [P_COMPLETED] = { "completed", C },
    [P_IN_FLIGHT] = { "in_flight", C },   [P_THROUGHPUT] = { "throughput", R },
    [P_UTIL] = { "utilization", R },      [P_QUEUE_MEAN] = { "queue_mean", R },
    [P_QUEUE_MAX] = { "queue_max", R },   [P_WORKING] = { "threads_working", R },
    [P_BLOCKED] = { "threads_blocked", R }, [P_IDLE] = { "threads_idle", R },
    [P_CORES] = { "cores_busy", R },      [P_CPU_UTIL] = { "cpu_utilization", R },
};
/* Endpoints: counts and residence times of the calls to each. */
enum { E_ARRIVALS, E_COMPLETED, E_FAILED, E_DROPPED, E_IN_FLIGHT, E_THROUGHPUT, E_RESID_MEAN,
       E_RESID_P50, E_RESID_P99, E_RESID_MAX, E_HEAD };
static sim_metric_def endpoint_defs[E_HEAD + SIM_NCAUSES + ET_N] = {
    [E_ARRIVALS] = { "arrivals", C },     [E_COMPLETED] = { "completed", C },
    [E_IN_FLIGHT] = { "in_flight", C },   [E_THROUGHPUT] = { "throughput", R },
    [E_RESID_MEAN] = { "residence_mean", R }, [E_RESID_P50] = { "residence_p50", R },
    [E_RESID_P99] = { "residence_p99", R },   [E_RESID_MAX] = { "residence_max", R },
};
/* Brokers: one row per broker and per group (see docs/outputs.md, brokers.csv). */
enum { B_PUBLISHED, B_DELIVERED, B_ACKED, B_REDELIVERED, B_DUPLICATES, B_SUPPRESSED, B_DEAD,
       B_LOST,
       B_DROPPED, B_BUFFERED, B_IN_FLIGHT, B_DEPTH_MEAN, B_DEPTH_MAX, B_LAG_MEAN, B_LAG_P99,
       B_OUT_OF_ORDER, B_AGE_MEAN, B_AGE_P99, B_SOJ_MEAN, B_SOJ_P99, B_CONS_UTIL, B_EXPIRED,
       B_LAGS_MEAN, B_LAGS_P99, B_LAGS_MAX, B_HOT, B_HOT_LAG, B_REBALANCES, B_REPLIES,
       B_LATE_REPLIES, B_TIMEOUTS, B_SOJ_P50, B_SOJ_MAX, B_REFUSED, B_UPTIME, B_LINK_LOST,
       B_HEAD };
static const sim_metric_def broker_defs[B_HEAD] = {
    [B_PUBLISHED] = { "published", C },   [B_DELIVERED] = { "delivered", C },
    [B_ACKED] = { "acked", C },           [B_REDELIVERED] = { "redelivered", C },
    [B_DUPLICATES] = { "duplicates", C }, [B_SUPPRESSED] = { "duplicates_suppressed", C },
    [B_DEAD] = { "dead_lettered", C },
    [B_LOST] = { "lost", C },             [B_DROPPED] = { "dropped", C },
    [B_BUFFERED] = { "buffered", C },     [B_IN_FLIGHT] = { "in_flight", C },
    [B_DEPTH_MEAN] = { "depth_mean", R }, [B_DEPTH_MAX] = { "depth_max", R },
    [B_LAG_MEAN] = { "lag_mean", R },     [B_LAG_P99] = { "lag_p99", R },
    [B_OUT_OF_ORDER] = { "out_of_order", C }, [B_AGE_MEAN] = { "age_mean", R },
    [B_AGE_P99] = { "age_p99", R },       [B_SOJ_MEAN] = { "sojourn_mean", R },
    [B_SOJ_P99] = { "sojourn_p99", R },   [B_CONS_UTIL] = { "consumer_utilization", R },
    [B_EXPIRED] = { "expired", C },       [B_LAGS_MEAN] = { "lag_seconds_mean", R },
    [B_LAGS_P99] = { "lag_seconds_p99", R }, [B_LAGS_MAX] = { "lag_seconds_max", R },
    [B_HOT] = { "hot_partition", R },     [B_HOT_LAG] = { "hot_partition_lag_mean", R },
    [B_REBALANCES] = { "rebalances", C }, [B_REPLIES] = { "replies", C },
    [B_LATE_REPLIES] = { "late_replies", C }, [B_TIMEOUTS] = { "timeouts", C },
    [B_SOJ_P50] = { "sojourn_p50", R },   [B_SOJ_MAX] = { "sojourn_max", R },
    [B_REFUSED] = { "refused", C },       [B_UPTIME] = { "uptime", R },
    [B_LINK_LOST] = { "link_lost", C },
};
static const sim_result_kind broker_kind = { "broker", broker_defs, B_HEAD, "group" };
#undef C
#undef R

/* The column of each cause: the causes that flows.csv and services.csv had from the start keep
 * their place; every other cause of model/cause.h follows the head, in the list's order. */
static long flow_col[SIM_NCAUSES], service_col[SIM_NCAUSES], replica_col[SIM_NCAUSES],
    endpoint_col[SIM_NCAUSES];
/* Where each kind's tail starts. */
static size_t flow_tail_at, service_tail_at, replica_tail_at, endpoint_tail_at;
static sim_result_kind flow_kind = { "flow", flow_defs, 0, NULL };
static sim_result_kind service_kind = { "service", service_defs, 0, NULL };
static sim_result_kind replica_kind = { "replica", replica_defs, 0, "replica" };
static sim_result_kind endpoint_kind = { "endpoint", endpoint_defs, 0, "endpoint" };
static pthread_once_t kinds_once = PTHREAD_ONCE_INIT;

static size_t place_causes(sim_metric_def *defs, size_t head, long *col, const long *fixed)
{
    size_t n = head;
    for (int c = 0; c < SIM_NCAUSES; c++) {
        col[c] = fixed[c] >= 0 ? fixed[c] : (long)n++;
        if (fixed[c] < 0 || !defs[col[c]].name)
            defs[col[c]] = (sim_metric_def){ sim_cause_column((sim_cause)c), SIM_METRIC_COUNT };
    }
    return n;
}

/* Appends the n columns of tail after the *nmetrics of defs; returns where they start. */
static size_t append_tail(sim_metric_def *defs, size_t *nmetrics, const sim_metric_def *tail,
                          size_t n)
{
    size_t at = *nmetrics;
    for (size_t i = 0; i < n; i++)
        defs[(*nmetrics)++] = tail[i];
    return at;
}

static void kinds_init(void)
{
    long ffixed[SIM_NCAUSES], sfixed[SIM_NCAUSES];
    for (int c = 0; c < SIM_NCAUSES; c++)
        ffixed[c] = sfixed[c] = -1;
    ffixed[SIM_CAUSE_OK] = F_OK;
    ffixed[SIM_CAUSE_FAILED] = F_FAILED;
    ffixed[SIM_CAUSE_TIMEOUT] = F_TIMEOUTS;
    ffixed[SIM_CAUSE_DROPPED] = F_DROPPED;
    sfixed[SIM_CAUSE_OK] = S_COMPLETED;   /* a service's "ok" is a completion */
    sfixed[SIM_CAUSE_FAILED] = S_FAILED;
    sfixed[SIM_CAUSE_DROPPED] = S_DROPPED;
    flow_kind.nmetrics = place_causes(flow_defs, F_HEAD, flow_col, ffixed);
    service_kind.nmetrics = place_causes(service_defs, S_HEAD, service_col, sfixed);
    /* Replicas and endpoints: the service's causes in the same places of their own heads. */
    long pfixed[SIM_NCAUSES], efixed[SIM_NCAUSES];
    for (int c = 0; c < SIM_NCAUSES; c++)
        pfixed[c] = efixed[c] = -1;
    pfixed[SIM_CAUSE_OK] = P_COMPLETED;
    pfixed[SIM_CAUSE_FAILED] = P_FAILED;
    pfixed[SIM_CAUSE_DROPPED] = P_DROPPED;
    efixed[SIM_CAUSE_OK] = E_COMPLETED;
    efixed[SIM_CAUSE_FAILED] = E_FAILED;
    efixed[SIM_CAUSE_DROPPED] = E_DROPPED;
    replica_kind.nmetrics = place_causes(replica_defs, P_HEAD, replica_col, pfixed);
    endpoint_kind.nmetrics = place_causes(endpoint_defs, E_HEAD, endpoint_col, efixed);
    flow_tail_at = append_tail(flow_defs, &flow_kind.nmetrics, flow_tail, FT_N);
    service_tail_at = append_tail(service_defs, &service_kind.nmetrics, service_tail, ST_N);
    replica_tail_at = append_tail(replica_defs, &replica_kind.nmetrics, replica_tail, PT_N);
    endpoint_tail_at = append_tail(endpoint_defs, &endpoint_kind.nmetrics, endpoint_tail, ET_N);
}

const sim_result_kind *sim_result_kind_flow(void)
{
    pthread_once(&kinds_once, kinds_init);
    return &flow_kind;
}

const sim_result_kind *sim_result_kind_service(void)
{
    pthread_once(&kinds_once, kinds_init);
    return &service_kind;
}

const sim_result_kind *sim_result_kind_replica(void)
{
    pthread_once(&kinds_once, kinds_init);
    return &replica_kind;
}

const sim_result_kind *sim_result_kind_endpoint(void)
{
    pthread_once(&kinds_once, kinds_init);
    return &endpoint_kind;
}

const sim_result_kind *sim_result_kind_broker(void) { return &broker_kind; }

long sim_result_kind_metric(const sim_result_kind *k, const char *name)
{
    for (size_t i = 0; i < k->nmetrics; i++)
        if (!strcmp(k->metrics[i].name, name))
            return (long)i;
    return -1;
}

/* q rounded to SIM_QUANTILE_DIGITS significant digits as snprintf("%.4g") and strtod would
 * give it, without either (the time series rounds two quantiles a row): y = |q| x 10^k in
 * [1000, 10000) in long double (a 64-bit significand: y within 2^-50 of the exact product),
 * its nearest integer m unless y is within 10^-6 of a tie, and m / 10^k in one correctly rounded
 * operation (m and 10^k exact doubles, so that is the double nearest the decimal, which is what
 * strtod returns). 1 and the value in *out, or 0 when unsure (snprintf then decides). */
static int quantile_fast(double q, double *out)
{
#if SIM_QUANTILE_DIGITS == 4
    double a = fabs(q);
    long double y;
    int k;
    if (!(a >= 1e-15 && a < 1e15) || !sim_dec_scale(a, 4, &y, &k))
        return 0;
    long double r = floorl(y), f = y - r;
    if (fabsl(f - 0.5L) < 1e-6L)
        return 0;
    double v;   /* m from 1000 to 10000: exact */
    if (!sim_dec_exact((uint64_t)(r + (f > 0.5L ? 1 : 0)), -k, &v))
        return 0;
    *out = q < 0 ? -v : v;
    return 1;
#else
    (void)q, (void)out;
    return 0;
#endif
}

double sim_result_quantile(double q)
{
    if (!isfinite(q) || q == 0)
        return q;
    double v;
    if (quantile_fast(q, &v))
        return v;
    char buf[48];
    snprintf(buf, sizeof buf, "%.*g", SIM_QUANTILE_DIGITS, q);
    return strtod(buf, NULL);
}

double sim_entity_value(const sim_entity_result *x, const char *name)
{
    long i = sim_result_kind_metric(x->kind, name);
    if (i < 0)
        return NAN;
    return x->kind->metrics[i].type == SIM_METRIC_COUNT ? (double)x->m[i].count : x->m[i].real;
}

/* ---- the engine's counters by cause ----------------------------------------------------
 * The one place that knows the counter fields: both kinds count how requests ended in an array
 * indexed by sim_cause (a service's OK is a completion). */

static void flow_causes(const sim_flow_counts *w, uint64_t n[SIM_NCAUSES])
{
    memcpy(n, w->by, SIM_NCAUSES * sizeof *n);
}

static void service_causes(const sim_svc_counts *w, uint64_t n[SIM_NCAUSES])
{
    memcpy(n, w->by, SIM_NCAUSES * sizeof *n);
}

static uint64_t flow_sent(const sim_flow_counts *w) { return w->sent; }
static uint64_t service_arrivals(const sim_svc_counts *w) { return w->arrivals; }

/* Of a cohort of arrivals, those that have not ended: arrivals - the sum of the causes. */
static uint64_t cohort_in_flight(const sim_svc_counts *w)
{
    uint64_t ended = 0;
    for (int k = 0; k < SIM_NCAUSES; k++)
        ended += w->by[k];
    return ALWAYS(w->arrivals >= ended) ? w->arrivals - ended : 0;
}

/* ---- headline figures ------------------------------------------------------------------ */

uint32_t sim_results_nflows(const sim_engine *e) { return e->nclients; }
uint32_t sim_results_nservices(const sim_engine *e) { return e->nsvcs; }

static double window(const sim_engine *e) { return e->cfg.duration - e->cfg.warmup; }

void sim_results_flow(const sim_engine *e, uint32_t i, sim_flow_summary *o)
{
    const sim_client *c = &e->clients[i];
    const sim_flow_counts *w = &c->win;
    uint64_t n[SIM_NCAUSES], ended = 0;
    flow_causes(w, n);
    for (int k = 0; k < SIM_NCAUSES; k++)
        ended += n[k];
    o->name = c->name;
    o->sent = (double)flow_sent(w);
    o->ok = (double)n[SIM_CAUSE_OK];
    o->failed = (double)n[SIM_CAUSE_FAILED];
    o->timeouts = (double)n[SIM_CAUSE_TIMEOUT];
    o->dropped = (double)n[SIM_CAUSE_DROPPED];
    o->in_flight = (double)(flow_sent(w) - ended);
    o->throughput = (double)n[SIM_CAUSE_OK] / window(e);
    o->latency_mean = sim_hist_mean(&c->lat_hist);
    o->latency_p50 = sim_hist_quantile(&c->lat_hist, 0.50);
    o->latency_p90 = sim_hist_quantile(&c->lat_hist, 0.90);
    o->latency_p99 = sim_hist_quantile(&c->lat_hist, 0.99);
    o->latency_p999 = sim_hist_quantile(&c->lat_hist, 0.999);
    o->latency_max = c->lat_hist.count ? c->lat_hist.max : NAN;
    o->completion_mean = sim_hist_mean(&c->compl_hist);
    o->completion_p50 = sim_hist_quantile(&c->compl_hist, 0.50);
    o->completion_p99 = sim_hist_quantile(&c->compl_hist, 0.99);
}

void sim_results_service(const sim_engine *e, uint32_t i, sim_service_summary *o)
{
    const sim_service *s = &e->svcs[i];
    const double end = e->cfg.duration;
    uint64_t n[SIM_NCAUSES];
    sim_svc_counts win;
    sim_service_win(s, &win);
    service_causes(&win, n);
    o->name = s->name;
    o->arrivals = (double)service_arrivals(&win);
    o->completed = (double)n[SIM_CAUSE_OK];
    o->failed = (double)n[SIM_CAUSE_FAILED];
    o->dropped = (double)n[SIM_CAUSE_DROPPED];
    o->in_flight = (double)cohort_in_flight(&win);
    o->throughput = (double)n[SIM_CAUSE_OK] / window(e);
    double busy = sim_tw_mean(&s->tw_busy, end);
    o->utilization = s->threads == SIM_WORKERS_INF
                         ? NAN : busy / ((double)s->threads * s->cfg.replicas);
    o->queue_mean = sim_tw_mean(&s->tw_queue, end);
    o->queue_max = s->tw_queue.max;
    o->wait_mean = sim_hist_mean(&s->wait_hist);
    o->wait_p99 = sim_hist_quantile(&s->wait_hist, 0.99);
    double rsum = 0;
    uint64_t rn = 0;
    for (uint32_t j = 0; s->ep_stats && j < s->neps; j++) {
        rsum += s->ep_stats[j].resid.sum;
        rn += s->ep_stats[j].resid.count;
    }
    o->residence_mean = rn ? rsum / (double)rn : NAN;
    o->threads_working = sim_tw_mean(&s->tw_working, end);
    o->threads_blocked = busy - o->threads_working;
    o->cores_busy = sim_service_cpu_mean(s, end);
    /* Of the cores it can use: its own (per replica), or its share of a shared host's. */
    double cores = s->cfg.host ? e->hosts[s->cfg.host - 1]->cores
                               : s->cfg.cores * s->cfg.replicas;
    o->cpu_utilization = cores > 0 ? o->cores_busy / cores : NAN;
}

/* ---- extraction ------------------------------------------------------------------------ */

/* Requests answered OK in the window whose tree of work had not finished by the end: their
 * completion time is censored (docs/outputs.md, flows.csv `incomplete`). */
static void count_incomplete(void *obj, void *ud)
{
    const sim_req *r = obj;
    uint64_t *n = ud;
    if (r->state == SIM_REQ_ROOT_DONE && r->kind == SIM_REQ_ROOT && r->counted &&
        r->outcome == SIM_CAUSE_OK)
        n[r->client->index]++;
}

static int copy_buckets(const sim_hist *h, sim_entity_result *x)
{
    size_t n = 0;
    for (long b = sim_hist_next(h, -1, NULL, NULL, NULL); b >= 0;
         b = sim_hist_next(h, b, NULL, NULL, NULL))
        n++;
    if (n == 0)
        return SIM_OK;
    x->buckets = sim_calloc(n, sizeof *x->buckets);
    if (!x->buckets)
        return SIM_ENOMEM;
    double lo, hi;
    uint64_t count;
    for (long b = sim_hist_next(h, -1, &lo, &hi, &count); b >= 0 && x->nbuckets < n;
         b = sim_hist_next(h, b, &lo, &hi, &count))
        x->buckets[x->nbuckets++] = (sim_bucket){ lo, hi, count };
    return SIM_OK;
}

static int entity_init(sim_entity_result *x, const sim_result_kind *k, const char *name)
{
    x->kind = k;
    x->name = sim_strdup(name);
    x->m = sim_calloc(k->nmetrics, sizeof *x->m);
    return x->name && x->m ? SIM_OK : SIM_ENOMEM;
}

static int flow_result(const sim_engine *e, uint32_t i, uint64_t incomplete,
                       sim_entity_result *x)
{
    const sim_client *c = &e->clients[i];
    int rc = entity_init(x, sim_result_kind_flow(), c->name);
    if (rc != SIM_OK)
        return rc;
    sim_flow_summary s;
    sim_results_flow(e, i, &s);
    uint64_t n[SIM_NCAUSES], ended = 0;
    flow_causes(&c->win, n);
    for (int k = 0; k < SIM_NCAUSES; k++) {
        x->m[flow_col[k]].count = n[k];
        ended += n[k];
    }
    x->m[F_SENT].count = flow_sent(&c->win);
    x->m[F_IN_FLIGHT].count = flow_sent(&c->win) - ended;
    x->m[flow_tail_at + FT_ATTEMPTS].count = c->win.attempts;
    x->m[flow_tail_at + FT_AVAILABILITY].real =
        ended ? (double)n[SIM_CAUSE_OK] / (double)ended : NAN;
    x->m[F_INCOMPLETE].count = incomplete;
    const double reals[] = {
        [F_THROUGHPUT] = s.throughput, [F_LAT_MEAN] = s.latency_mean,
        [F_LAT_P50] = sim_result_quantile(s.latency_p50),
        [F_LAT_P90] = sim_result_quantile(s.latency_p90),
        [F_LAT_P99] = sim_result_quantile(s.latency_p99),
        [F_LAT_P999] = sim_result_quantile(s.latency_p999),
        [F_LAT_MAX] = s.latency_max,   [F_COMPL_MEAN] = s.completion_mean,
        [F_COMPL_P50] = sim_result_quantile(s.completion_p50),
        [F_COMPL_P99] = sim_result_quantile(s.completion_p99),
    };
    for (size_t k = F_THROUGHPUT; k <= F_COMPL_P99; k++)
        x->m[k].real = reals[k];
    return copy_buckets(&c->lat_hist, x);
}

static int service_result(const sim_engine *e, uint32_t i, sim_entity_result *x)
{
    const sim_service *v = &e->svcs[i];
    int rc = entity_init(x, sim_result_kind_service(), v->name);
    if (rc != SIM_OK)
        return rc;
    sim_service_summary s;
    sim_results_service(e, i, &s);
    uint64_t n[SIM_NCAUSES];
    sim_svc_counts win;
    sim_service_win(v, &win);
    service_causes(&win, n);
    for (int k = 0; k < SIM_NCAUSES; k++)
        x->m[service_col[k]].count = n[k];
    x->m[S_ARRIVALS].count = service_arrivals(&win);
    x->m[S_IN_FLIGHT].count = cohort_in_flight(&win);
    x->m[service_tail_at + ST_RETRIES].count = win.retries;
    x->m[service_tail_at + ST_ABANDONED].count = win.abandoned;
    x->m[service_tail_at + ST_UPTIME].real =
        1 - sim_tw_mean(&v->tw_down, e->cfg.duration) / v->cfg.replicas;
    x->m[service_tail_at + ST_LATE].count = win.late;
    x->m[service_tail_at + ST_LINK_LOST].count = win.link_lost;
    const double reals[] = {
        [S_THROUGHPUT] = s.throughput, [S_UTIL] = s.utilization,
        [S_QUEUE_MEAN] = s.queue_mean, [S_QUEUE_MAX] = s.queue_max,
        [S_WAIT_MEAN] = s.wait_mean,   [S_WAIT_P99] = sim_result_quantile(s.wait_p99),
        [S_RESID_MEAN] = s.residence_mean,
        [S_WORKING] = s.threads_working, [S_BLOCKED] = s.threads_blocked,
        [S_CORES] = s.cores_busy,        [S_CPU_UTIL] = s.cpu_utilization,
    };
    for (size_t k = S_THROUGHPUT; k <= S_CPU_UTIL; k++)
        x->m[k].real = reals[k];
    return SIM_OK;
}

/* ---- parts of a service: replicas and endpoints ------------------------------------------ */

static int part_init(sim_entity_result *x, const sim_result_kind *k, const char *name,
                     const char *part)
{
    int rc = entity_init(x, k, name);
    if (rc == SIM_OK && !(x->part = sim_strdup(part)))
        rc = SIM_ENOMEM;
    return rc;
}

static void counts_out(const sim_svc_counts *w, const long *col, size_t arrivals_col,
                       size_t in_flight_col, sim_entity_result *x)
{
    for (int k = 0; k < SIM_NCAUSES; k++)
        x->m[col[k]].count = w->by[k];
    x->m[arrivals_col].count = w->arrivals;
    x->m[in_flight_col].count = cohort_in_flight(w);
}

/* One replica. With one replica the service's own figures are its replica's. */
static int replica_result(const sim_engine *e, const sim_service *v, uint32_t j,
                          sim_entity_result *x)
{
    char num[16];
    snprintf(num, sizeof num, "%u", j);
    int rc = part_init(x, sim_result_kind_replica(), v->name, num);
    if (rc != SIM_OK)
        return rc;
    const sim_instance *in = &v->inst[j];
    const sim_inst_stats *st = in->st;
    const double end = e->cfg.duration;
    sim_svc_counts win;
    if (!st)
        sim_service_win(v, &win);
    const sim_svc_counts *w = st ? &st->win : &win;
    const sim_tw *busy = st ? &st->tw_busy : &v->tw_busy;
    const sim_tw *queue = st ? &st->tw_queue : &v->tw_queue;
    const sim_tw *working = st ? &st->tw_working : &v->tw_working;
    counts_out(w, replica_col, P_ARRIVALS, P_IN_FLIGHT, x);
    x->m[replica_tail_at + PT_RETRIES].count = w->retries;
    x->m[replica_tail_at + PT_UPTIME].real =
        1 - (st ? sim_tw_mean(&st->tw_down, end) : sim_tw_mean(&v->tw_down, end));
    x->m[replica_tail_at + PT_LATE].count = w->late;
    double held = sim_tw_mean(busy, end), work = sim_tw_mean(working, end);
    double span = end - busy->start;
    double cores_busy = span > 0 ? sim_service_inst_cpu_area(in, end) / span
                                 : sim_tw_mean(&v->tw_cpu, end);
    double cores = v->cfg.host ? e->hosts[v->cfg.host - 1]->cores : v->cfg.cores;
    int inf = v->threads == SIM_WORKERS_INF;
    x->m[P_THROUGHPUT].real = (double)w->by[SIM_CAUSE_OK] / window(e);
    x->m[P_UTIL].real = inf ? NAN : held / (double)v->threads;
    x->m[P_QUEUE_MEAN].real = sim_tw_mean(queue, end);
    x->m[P_QUEUE_MAX].real = queue->max;
    x->m[P_WORKING].real = work;
    x->m[P_BLOCKED].real = held - work;
    x->m[P_IDLE].real = inf ? NAN : (double)v->threads - held;
    x->m[P_CORES].real = cores_busy;
    x->m[P_CPU_UTIL].real = cores > 0 ? cores_busy / cores : NAN;
    return SIM_OK;
}

static int endpoint_result(const sim_engine *e, const sim_service *v, uint32_t j,
                           sim_entity_result *x)
{
    int rc = part_init(x, sim_result_kind_endpoint(), v->name, v->eps[j].name);
    if (rc != SIM_OK)
        return rc;
    const sim_ep_stats *st = &v->ep_stats[j];
    counts_out(&st->win, endpoint_col, E_ARRIVALS, E_IN_FLIGHT, x);
    x->m[endpoint_tail_at + ET_RETRIES].count = st->win.retries;
    x->m[endpoint_tail_at + ET_ABANDONED].count = st->win.abandoned;
    uint64_t opens = 0;   /* the breakers of its calls */
    for (uint32_t k = 0; k < v->eps[j].nretries; k++)
        opens += v->eps[j].retries[k].brk.opens_win;
    x->m[endpoint_tail_at + ET_BREAKER_OPENS].count = opens;
    x->m[endpoint_tail_at + ET_LATE].count = st->win.late;
    x->m[E_THROUGHPUT].real = (double)st->win.by[SIM_CAUSE_OK] / window(e);
    x->m[E_RESID_MEAN].real = sim_hist_mean(&st->resid);
    x->m[E_RESID_P50].real = sim_result_quantile(sim_hist_quantile(&st->resid, 0.50));
    x->m[E_RESID_P99].real = sim_result_quantile(sim_hist_quantile(&st->resid, 0.99));
    x->m[E_RESID_MAX].real = st->resid.count ? st->resid.max : NAN;
    return SIM_OK;
}

/* The number of replica and endpoint entries of the engine's services. */
static size_t parts_count(const sim_engine *e)
{
    size_t n = 0;
    for (uint32_t i = 0; i < e->nsvcs; i++)
        n += (size_t)e->svcs[i].cfg.replicas + (e->svcs[i].ep_stats ? e->svcs[i].neps : 0);
    return n;
}

static int parts_result(const sim_engine *e, sim_rep_result *out)
{
    int rc = SIM_OK;
    for (uint32_t i = 0; rc == SIM_OK && i < e->nsvcs; i++)
        for (uint32_t j = 0; rc == SIM_OK && j < e->svcs[i].cfg.replicas; j++, out->nentities++)
            rc = replica_result(e, &e->svcs[i], j, &out->entities[out->nentities]);
    for (uint32_t i = 0; rc == SIM_OK && i < e->nsvcs; i++)
        for (uint32_t j = 0; rc == SIM_OK && e->svcs[i].ep_stats && j < e->svcs[i].neps;
             j++, out->nentities++)
            rc = endpoint_result(e, &e->svcs[i], j, &out->entities[out->nentities]);
    return rc;
}

/* A broker's row (w->g NULL) or one of its groups'. Counts are of the statistics window except
 * buffered and in_flight, which are the state at the end. */
static int broker_result(const sim_engine *e, const sim_brow *w, sim_entity_result *x)
{
    const sim_broker *b = w->b;
    const sim_bstats *st = w->g ? &w->g->st : &b->st;
    int rc = entity_init(x, sim_result_kind_broker(), b->name);
    if (rc != SIM_OK)
        return rc;
    x->part = sim_strdup(w->g ? w->g->name : "");
    if (!x->part)
        return SIM_ENOMEM;
    const double end = e->cfg.duration;
    const sim_bcounts *c = &st->win;
    sim_metric *m = x->m;
    m[B_PUBLISHED].count = w->g ? c->published : c->sent;
    m[B_DELIVERED].count = c->delivered;
    m[B_ACKED].count = c->acked;
    m[B_REDELIVERED].count = c->redelivered;
    m[B_DUPLICATES].count = c->duplicates;
    m[B_SUPPRESSED].count = c->suppressed;
    m[B_DEAD].count = c->dead_lettered;
    m[B_LOST].count = c->lost;
    m[B_DROPPED].count = c->dropped;
    /* Of the window's cohort (published after the warm-up), as every count of the row: those
     * still in a buffer (read off the buffers once, at the end); of a group, those delivered
     * and not yet settled; of the broker, publishes not yet accepted. */
    uint64_t buffered = 0;
    for (uint32_t k = 0; k < b->ngroups; k++) {
        const sim_group *g = &b->groups[k];
        if (w->g && w->g != g)
            continue;
        for (const sim_msg *q = g->buf.head; q; q = q->next)
            buffered += q->counted;
        for (uint32_t p = 0; p < g->nparts; p++)
            for (const sim_msg *q = g->parts[p].buf.head; q; q = q->next)
                buffered += q->counted;
    }
    m[B_BUFFERED].count = buffered;
    m[B_IN_FLIGHT].count = w->g ? c->published - c->acked - c->lost - c->dead_lettered -
                                      c->dropped - c->aged - buffered
                                : c->sent - c->accepted - c->refused - c->link_lost;
    m[B_DEPTH_MEAN].real = sim_tw_mean(&st->tw_depth, end);
    m[B_DEPTH_MAX].real = st->tw_depth.max;
    m[B_LAG_MEAN].real = sim_tw_mean(&st->tw_lag, end);
    m[B_LAG_P99].real = sim_result_quantile(sim_hist_quantile(&st->lag_seen, 0.99));
    m[B_OUT_OF_ORDER].count = c->out_of_order;
    m[B_AGE_MEAN].real = sim_hist_mean(&st->age);
    m[B_AGE_P99].real = sim_result_quantile(sim_hist_quantile(&st->age, 0.99));
    m[B_SOJ_MEAN].real = sim_hist_mean(&st->sojourn);
    m[B_SOJ_P99].real = sim_result_quantile(sim_hist_quantile(&st->sojourn, 0.99));
    m[B_CONS_UTIL].real = st->consumers ? sim_tw_mean(&st->tw_busy, end) / st->consumers : NAN;
    m[B_EXPIRED].count = c->aged;
    m[B_REBALANCES].count = c->rebalances;
    m[B_REPLIES].count = c->replies;
    m[B_LATE_REPLIES].count = c->late_replies;
    m[B_TIMEOUTS].count = c->timeouts;
    m[B_SOJ_P50].real = sim_result_quantile(sim_hist_quantile(&st->sojourn, 0.5));
    m[B_SOJ_MAX].real = st->sojourn.count ? st->sojourn.max : NAN;
    m[B_REFUSED].count = w->g ? 0 : c->refused;
    m[B_UPTIME].real = sim_broker_uptime(b, end);
    m[B_LINK_LOST].count = w->g ? 0 : c->link_lost;
    m[B_LAGS_MEAN].real = m[B_LAGS_P99].real = m[B_LAGS_MAX].real = NAN;
    m[B_HOT].real = m[B_HOT_LAG].real = NAN;
    if (w->g) {
        const sim_group *g = w->g;
        m[B_LAGS_MEAN].real = sim_group_lag_seconds_mean(g, end);
        m[B_LAGS_P99].real = sim_result_quantile(sim_hist_quantile(&g->ls_seen, 0.99));
        m[B_LAGS_MAX].real = sim_group_lag_seconds_max(g, end);
        for (uint32_t p = 0; p < g->nparts; p++) {   /* the partition that lagged most */
            double v = sim_tw_mean(&g->parts[p].tw_lag, end);
            if (p == 0 || v > m[B_HOT_LAG].real) {
                m[B_HOT].real = p;
                m[B_HOT_LAG].real = v;
            }
        }
    }
    return SIM_OK;
}

/* A breaker's row of faults.csv: its call site, "caller/endpoint/callee" (with "#k" for the
 * k-th breaker of the endpoint on calls to that callee, from the second), its new state as the
 * event, and no replica. */
static char *breaker_name(const sim_engine *e, const sim_fault_event *f, sim_fault_row *o)
{
    static const char *const states[] = { "closed", "open", "half_open" };
    const sim_service *s = &e->svcs[f->service];
    const sim_endpoint *ep = &s->eps[f->replica];
    uint32_t callee = 0, rank = 0;
    for (uint32_t i = 0; i < ep->nops; i++)
        if (ep->ops[i].code == SIM_OP_CALL && ep->ops[i].policy == f->fault)
            callee = ep->ops[i].target;
    for (uint32_t i = 0; i < ep->nops; i++) {
        const sim_op *op = &ep->ops[i];
        if (op->code == SIM_OP_CALL && op->policy && op->policy <= f->fault &&
            op->target == callee && ep->retries[op->policy - 1].brk.on)
            rank++;
    }
    o->kind = "breaker";
    o->event = f->start <= SIM_BREAKER_HALF ? states[f->start] : "?";
    o->replica = -1;
    char buf[64];
    snprintf(buf, sizeof buf, "#%u", rank);
    size_t n = strlen(s->name) + strlen(ep->name) + strlen(e->svcs[callee].name) + 3 +
               (rank > 1 ? strlen(buf) : 0);
    char *name = sim_malloc(n);
    if (name)
        snprintf(name, n, "%s/%s/%s%s", s->name, ep->name, e->svcs[callee].name,
                 rank > 1 ? buf : "");
    return name;
}

int sim_engine_result(const sim_engine *e, sim_rep_result *out)
{
    memset(out, 0, sizeof *out);
    if (!e->ran)
        return SIM_ESTATE;
    out->rep = e->cfg.rep;
    out->events = e->nevents;
    out->ledger = e->err;
    size_t n = (size_t)e->nclients + e->nsvcs + parts_count(e) + e->nbrows;
    uint64_t *incomplete = sim_calloc((size_t)e->nclients + 1, sizeof *incomplete);
    out->entities = sim_calloc(n + 1, sizeof *out->entities);
    int rc = incomplete && out->entities ? SIM_OK : SIM_ENOMEM;
    if (rc == SIM_OK)
        sim_pool_each(&e->reqs, count_incomplete, incomplete);
    for (uint32_t i = 0; rc == SIM_OK && i < e->nclients; i++, out->nentities++)
        rc = flow_result(e, i, incomplete[i], &out->entities[out->nentities]);
    for (uint32_t i = 0; rc == SIM_OK && i < e->nsvcs; i++, out->nentities++)
        rc = service_result(e, i, &out->entities[out->nentities]);
    if (rc == SIM_OK)
        rc = parts_result(e, out);
    for (uint32_t i = 0; rc == SIM_OK && i < e->nbrows; i++, out->nentities++)
        rc = broker_result(e, &e->brows[i], &out->entities[out->nentities]);
    sim_free(incomplete);
    if (rc == SIM_OK && e->nflog) {
        out->faults = sim_calloc(e->nflog, sizeof *out->faults);
        rc = out->faults ? SIM_OK : SIM_ENOMEM;
        for (size_t i = 0; rc == SIM_OK && i < e->nflog; i++) {
            const sim_fault_event *f = &e->flog[i];
            sim_fault_row *o = &out->faults[out->nfaults];
            o->time = f->time;
            o->replica = f->replica;
            o->kind = sim_fault_kind_name((sim_fault_kind)f->kind);
            o->start = f->start;
            if (f->kind == SIM_FLOG_PARTITION) {
                o->kind = e->partitions[f->fault].extra ? "spike" : "partition";
                if (!(o->target = sim_strdup(e->partitions[f->fault].label)))
                    rc = SIM_ENOMEM;
                else
                    out->nfaults++;
                continue;
            }
            if (f->kind == SIM_FLOG_BREAKER) {
                if (!(o->target = breaker_name(e, f, o)))
                    rc = SIM_ENOMEM;
                else
                    out->nfaults++;
                continue;
            }
            /* a broker's, a host's, or a service's */
            const sim_fault_config *fc = &e->faults[f->fault].cfg;
            const char *name = fc->broker ? e->brokers[fc->broker - 1].name
                               : fc->host ? e->hosts[fc->host - 1]->name
                                          : e->svcs[f->service].name;
            if (!(o->target = sim_strdup(name)))
                rc = SIM_ENOMEM;
            else
                out->nfaults++;
        }
    }
    if (rc != SIM_OK)
        sim_rep_result_fini(out);   /* the entry that failed is counted: it may hold memory */
    return rc;
}

void sim_rep_result_fini(sim_rep_result *r)
{
    for (size_t i = 0; i < r->nentities; i++) {
        sim_free(r->entities[i].name);
        sim_free(r->entities[i].part);
        sim_free(r->entities[i].m);
        sim_free(r->entities[i].buckets);
    }
    sim_free(r->entities);
    for (size_t i = 0; i < r->nfaults; i++)
        sim_free(r->faults[i].target);
    sim_free(r->faults);
    memset(r, 0, sizeof *r);
}
