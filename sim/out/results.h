/* results: the per-replication tables of a run — flows.csv, services.csv, timeseries.csv and
 * latency.csv — written atomically into one directory (columns in docs/outputs.md).
 *
 * Open once, add every replication's engine after its run, then commit (all files appear) or
 * abort (none does). */
#ifndef SIM_RESULTS_H
#define SIM_RESULTS_H

#include "model/model.h"
#include "out/csv.h"

enum { SIM_OUT_FLOWS, SIM_OUT_SERVICES, SIM_OUT_TIMESERIES, SIM_OUT_LATENCY, SIM_OUT_RUN,
       SIM_OUT_NFILES };

typedef struct sim_results {
    sim_file files[SIM_OUT_NFILES];
} sim_results;

int sim_results_open(sim_results *r, const char *dir);       /* SIM_OK, SIM_EIO, SIM_ENOMEM */
int sim_results_add(sim_results *r, const sim_engine *e, uint64_t rep);
/* Writes run.json's text, then renames every file into place. */
int sim_results_commit(sim_results *r, const char *run_json);
void sim_results_abort(sim_results *r);

/* The headline figures of one flow or service, for the tables and for summaries across
 * replications. Each list names the CSV columns after rep and the entity's name, in order. */
#define SIM_FLOW_FIELDS(X)                                                                   \
    X(sent) X(ok) X(failed) X(timeouts) X(dropped) X(in_flight) X(throughput)                \
    X(latency_mean) X(latency_p50) X(latency_p90) X(latency_p99) X(latency_p999)             \
    X(latency_max) X(completion_mean) X(completion_p99)
#define SIM_SERVICE_FIELDS(X)                                                                \
    X(arrivals) X(completed) X(failed) X(dropped) X(in_flight) X(throughput) X(utilization)  \
    X(queue_mean) X(queue_max) X(wait_mean) X(wait_p99) X(residence_mean)
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
void sim_results_flow(const sim_engine *e, uint32_t i, sim_flow_summary *out);
void sim_results_service(const sim_engine *e, uint32_t i, sim_service_summary *out);

#endif
