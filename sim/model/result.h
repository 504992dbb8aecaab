/* result: the outcome of one replication as a plain value, so the engine can be freed at once.
 *
 * After sim_engine_run, sim_engine_result copies out everything the outputs need: one entry per
 * entity (flows, then services, then the parts of services: each replica, each endpoint; later
 * other kinds), each with a kind, a name (and for a part, the part's name) and typed named
 * metrics, plus the sparse response-time histogram of each flow, the ledger verdict and the
 * number of events. The value owns its memory and holds no pointer into the engine.
 *
 * Metrics are described once per kind (sim_result_kind): their names are the CSV column names,
 * in column order, and each is a count (uint64_t, written as an integer) or a real (double, NaN
 * for "no value"). The per-cause counts are generated from the list in model/cause.h. */
#ifndef SIM_MODEL_RESULT_H
#define SIM_MODEL_RESULT_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

typedef enum { SIM_METRIC_COUNT, SIM_METRIC_REAL } sim_metric_type;

typedef struct sim_metric_def {
    const char *name;        /* the column name, e.g. "latency_p99" */
    sim_metric_type type;
} sim_metric_def;

/* A kind of entity and its metrics, in column order. Kinds are static; compare by pointer. */
typedef struct sim_result_kind {
    const char *name;        /* "flow", "service", "replica", "endpoint" */
    const sim_metric_def *metrics;
    size_t nmetrics;
    const char *part;        /* the column naming a part of the entity ("replica", "endpoint"),
                              * written after its name; NULL for whole entities */
} sim_result_kind;

const sim_result_kind *sim_result_kind_flow(void);
const sim_result_kind *sim_result_kind_service(void);
/* Parts of a service: one entry per replica, one per endpoint (named by the service). */
const sim_result_kind *sim_result_kind_replica(void);
const sim_result_kind *sim_result_kind_endpoint(void);
const sim_result_kind *sim_result_kind_broker(void);
/* The index of the metric called name in k, or -1. */
long sim_result_kind_metric(const sim_result_kind *k, const char *name);

typedef union sim_metric {
    uint64_t count;
    double real;
} sim_metric;

/* One non-empty histogram bucket: count values in [lower, upper). */
typedef struct sim_bucket {
    double lower, upper;
    uint64_t count;
} sim_bucket;

typedef struct sim_entity_result {
    const sim_result_kind *kind;
    char *name;
    char *part;              /* the replica's number or the endpoint's name; NULL for a whole;
                                * brokers: the group, "" for the broker's own row */
    sim_metric *m;           /* kind->nmetrics values, in the kind's order */
    sim_bucket *buckets;     /* flows: response times of the ok requests; else none */
    size_t nbuckets;
} sim_entity_result;

/* One failure starting or ending (faults.csv). */
typedef struct sim_fault_row {
    double time;
    char *target;            /* the service, host, broker, partition or breaker */
    int64_t replica;         /* -1: every replica */
    const char *kind;        /* "outage", "crash", "slowdown", "partition", "breaker" (static) */
    int start;               /* 1: the failure starts, 0: it ends (recovery) */
    const char *event;       /* a breaker: its new state, "open", "half_open" or "closed"
                              * (static); NULL: "start" or "end" by `start` */
} sim_fault_row;

typedef struct sim_rep_result {
    uint64_t rep;
    uint64_t events;         /* calendar events processed */
    double wall_seconds;     /* set by whoever timed the run (0 otherwise) */
    int ledger;              /* SIM_OK: balanced */
    sim_entity_result *entities;   /* flows, services, replicas, endpoints, then broker rows;
                                    * each in order of addition (a service's replicas and
                                    * endpoints in its order) */
    size_t nentities;
    sim_fault_row *faults;   /* every failure and recovery, in time order */
    size_t nfaults;
} sim_rep_result;

/* Extracts the result of a finished run (sim_engine_run returned SIM_OK) into *out, which is
 * overwritten. SIM_OK, SIM_ESTATE (not run), or SIM_ENOMEM (then *out holds nothing). */
int sim_engine_result(const sim_engine *e, sim_rep_result *out);
/* Frees what a result owns and empties it; safe on an emptied or zeroed result. */
void sim_rep_result_fini(sim_rep_result *r);

/* A histogram quantile as written: rounded to SIM_QUANTILE_DIGITS significant digits. The
 * histogram's buckets give a quantile a relative error of up to 2^-8 (0.39%); four digits round
 * it by at most 0.05% more, so nothing the histogram knows is lost and no digit is pure noise.
 * NaN and infinities pass unchanged. */
#define SIM_QUANTILE_DIGITS 4
double sim_result_quantile(double q);

/* Shorthands: the value of metric `name` of entity x as a double (NaN for an unknown name). */
double sim_entity_value(const sim_entity_result *x, const char *name);

/* ---- headline figures read straight from an engine (for tests of the engine) ------------- */

/* Each list names the first columns of flows.csv / services.csv after rep and the name. */
#define SIM_FLOW_FIELDS(X)                                                                   \
    X(sent) X(ok) X(failed) X(timeouts) X(dropped) X(in_flight) X(throughput)                \
    X(latency_mean) X(latency_p50) X(latency_p90) X(latency_p99) X(latency_p999)             \
    X(latency_max) X(completion_mean) X(completion_p50) X(completion_p99)
#define SIM_SERVICE_FIELDS(X)                                                                \
    X(arrivals) X(completed) X(failed) X(dropped) X(in_flight) X(throughput) X(utilization)  \
    X(queue_mean) X(queue_max) X(wait_mean) X(wait_p99) X(residence_mean)                   \
    X(threads_working) X(threads_blocked) X(cores_busy) X(cpu_utilization)
#define SIM_FIELD_DECL(f) double f;

typedef struct sim_flow_summary {
    const char *name;
    SIM_FLOW_FIELDS(SIM_FIELD_DECL)
} sim_flow_summary;

typedef struct sim_service_summary {
    const char *name;
    SIM_SERVICE_FIELDS(SIM_FIELD_DECL)
} sim_service_summary;

uint32_t sim_results_nflows(const sim_engine *e);
uint32_t sim_results_nservices(const sim_engine *e);
/* The names point into the engine. */
void sim_results_flow(const sim_engine *e, uint32_t i, sim_flow_summary *out);
void sim_results_service(const sim_engine *e, uint32_t i, sim_service_summary *out);

#endif
