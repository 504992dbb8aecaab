/* results: the files of a run — flows.csv, services.csv, timeseries.csv, latency.csv,
 * replicas.csv, endpoints.csv, brokers.csv and run.json
 * — written from replication results (model/result.h), never from an engine, into a staging
 * directory that is put in place all at once (out/outdir.h). Columns: docs/outputs.md.
 *
 * Open once; for each replication, in order, add its result and its time series; write run.json
 * through sim_results_file; then commit (every file appears) or abort (none does). Every row
 * starts with the context columns (today `rep`), then the entity's name (and for a part of a
 * service, the replica or endpoint), then its metrics in the order of its kind. */
#ifndef SIM_RESULTS_H
#define SIM_RESULTS_H

#include "model/model.h"
#include "model/result.h"
#include "out/csv.h"
#include "out/outdir.h"

enum { SIM_OUT_FLOWS, SIM_OUT_SERVICES, SIM_OUT_TIMESERIES, SIM_OUT_LATENCY,
       SIM_OUT_REPLICAS, SIM_OUT_ENDPOINTS, SIM_OUT_BROKERS, SIM_OUT_FAULTS, SIM_OUT_NTABLES };
#define SIM_OUT_RUN_JSON "run.json"

/* Where a row comes from: the context columns. */
typedef struct sim_context {
    uint64_t rep;
} sim_context;

typedef struct sim_results {
    sim_outdir dir;
    sim_file files[SIM_OUT_NTABLES];
    int nosync;      /* set by the caller: files are closed without a sync each, and
                        sim_results_stage hands the set over to be made durable at once */
} sim_results;

/* Makes the staging directory beside `target` and writes the headers. SIM_OK, or an error with
 * the message in sim_results_error. */
int sim_results_open(sim_results *r, const char *target);
/* Writes one replication's rows of flows.csv, services.csv, latency.csv, replicas.csv,
 * endpoints.csv and brokers.csv. */
int sim_results_add(sim_results *r, const sim_context *ctx, const sim_rep_result *res);
/* Opens another file of the set (run.json) in the staging directory. */
int sim_results_file(sim_results *r, const char *name, sim_file *f);
/* Closes a file opened by sim_results_file or a series sink; SIM_OK or SIM_EIO with a message. */
int sim_results_close(sim_results *r, sim_file *f);
/* Closes the tables and puts the whole set in place. */
int sim_results_commit(sim_results *r);
/* Closes the tables (each synced unless r->nosync) and moves the staging directory into *d:
 * the caller makes it durable (sim_outdir_sync, or a sync of the whole file system), then
 * commits or aborts it. SIM_OK, or an error with the message in sim_results_error (then *d is
 * empty and the staging directory stays r's to abort). */
int sim_results_stage(sim_results *r, sim_outdir *d);
/* Removes everything written; safe after commit and repeated calls. */
void sim_results_abort(sim_results *r);
const char *sim_results_error(const sim_results *r);

/* ---- the time series ---------------------------------------------------------------------
 * Each replication streams its rows to a file of its own in the staging directory (a sim_series_fn
 * for sim_engine_set_series); sim_results_add_series then appends that file to timeseries.csv,
 * in replication order, and removes it. Sinks of different replications can be written from
 * different threads at once. A run whose replications are written one by one as they end, by
 * the thread that ran them, opens its sinks with sim_series_open_direct instead: the rows go
 * straight to timeseries.csv, with no file of their own. */
typedef struct sim_series_sink {
    sim_file f;
    sim_file *direct;        /* timeseries.csv itself (sim_series_open_direct), or NULL: f */
    sim_context ctx;
    /* The last row's time, spelled: every entity's row of a sample has the same time, so a
     * wide model formats it once a sample, not once a row. */
    int has_time;
    double time;
    char time_text[SIM_REAL_LEN];
    /* Reals spelled lately, by their bits (a direct-mapped memo): a row repeats a value
     * (utilization, threads working and cores busy of a one-worker service) and so do the rows
     * of a sample (throughputs of k requests in the same interval). */
    struct sim_series_memo {
        uint64_t bits;   /* 0 (the bits of 0.0, never looked up) while empty */
        uint8_t len;
        char text[SIM_REAL_LEN - 1];
    } memo[64];
} sim_series_sink;

int sim_series_open(sim_results *r, const sim_context *ctx, sim_series_sink *s);
/* Only when every replication's rows are written after the previous replication's, and nothing
 * else writes timeseries.csv meanwhile; then sim_results_add_series has nothing to copy. */
int sim_series_open_direct(sim_results *r, const sim_context *ctx, sim_series_sink *s);
int sim_series_write(void *sink, const sim_series_row *row);   /* a sim_series_fn */
/* Appends the sink's rows to timeseries.csv and removes its file (also on failure). stop, when
 * not NULL, is polled: once it is set, the copy stops with an error. */
int sim_results_add_series(sim_results *r, sim_series_sink *s, const atomic_int *stop);
void sim_series_discard(sim_series_sink *s);

#endif
