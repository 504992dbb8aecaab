/* cli: the parts of the dessa command line — the only part of the program that prints or exits.
 *
 *   main.c   the commands and the usage text
 *   opts.c   options
 *   run.c    dessa run: replication threads, one Lua state each, results written in order
 *   check.c  dessa check
 *   table.c  the summary table printed after a run
 *   json.c   run.json
 *   progress.c  the progress line on stderr during a run
 *   overwrite.c  the guard that keeps a run from replacing a different run's results */
#ifndef DESSA_CLI_H
#define DESSA_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "binding.h"
#include "model/result.h"
#include "out/csv.h"
#include "out/outdir.h"
#include "stats/tally.h"

#define EXIT_MODEL 1
#define EXIT_USAGE 2
#define MAX_SETS 256
#define CLI_TABLE_ROWS 30   /* --rows: the summary table's rows per part by default */

enum { CLI_PROGRESS_AUTO, CLI_PROGRESS_ALWAYS, CLI_PROGRESS_NEVER };

typedef struct options {
    const char *cmd, *scenario, *out;
    uint64_t seed;
    int has_seed;
    uint64_t reps;
    unsigned jobs;
    int quiet, unsafe;
    int force;                  /* replace the results of a different run in the directory */
    int progress;               /* CLI_PROGRESS_* */
    int progress_given;         /* --progress was on the command line (wins over -q) */
    int help;                   /* -h or --help after the command */
    int has_reps;               /* --reps was given */
    int resume;                 /* dessa sweep --resume */
    unsigned shard_i, shard_n;  /* dessa sweep --shard I/N (shard_n = 0: no shard) */
    const char *compare;        /* dessa sweep --compare NAME=A,B */
    double precision;           /* --precision R: replications until every target is within R */
    const char *targets[64];    /* --target ENTITY.METRIC (default: every flow's latency_mean) */
    size_t ntargets;
    unsigned batches;           /* --batches B: batch means after the warm-up (0: none) */
    uint64_t rows;              /* --rows N: rows of each part of the summary table (0: all) */
    const char *run_only;       /* the first option given that only run takes, or NULL */
    dessa_override sets[MAX_SETS];
    size_t nsets;
    dessa_override params[MAX_SETS];   /* dessa sweep --param NAME=V1,V2,... */
    size_t nparams;
} options;

/* opts.c */
/* Prints "dessa: MESSAGE" and the help hint; returns EXIT_USAGE. fmt has one %s. */
int cli_usage_error(const char *fmt, const char *arg);
/* Prints a message that has no scenario location with the program's prefix: "error: X" (the
 * binding's form) becomes "dessa: X"; "file:line: X" is printed as it is. */
void cli_print_error(const char *msg);
/* Parses argv[2..]; 0, or EXIT_USAGE after printing why. */
int cli_parse_args(int argc, char **argv, options *o);
/* The load options of o (quiet for the copies loaded per thread). */
dessa_load_opts cli_load_opts(const options *o, int quiet);
/* Loads o's scenario with its --set values; NULL after printing why. */
dessa_scenario *cli_load(const options *o);

/* overwrite.c: 0 when dessa run may write its results in dir (nothing there, the same run, or
 * --force); else EXIT_USAGE after saying what differs. */
int cli_check_overwrite(const options *o, const char *dir, const dessa_scenario *sc);

/* run.c, check.c, sweep.c */
int cli_run(const options *o);
int cli_check(const options *o);
int cli_sweep(const options *o);
int cli_merge(int argc, char **argv);

/* One run of replications into one output directory: dessa run, or a point of a sweep. */
typedef struct cli_point cli_point;
typedef struct cli_table cli_table;
typedef struct cli_committer cli_committer;
typedef struct cli_job {
    const options *o;
    dessa_scenario *sc;              /* loaded with sets (the caller's; stays loaded) */
    const dessa_override *sets;      /* the overrides worker threads load with */
    size_t nsets;
    const char *dir;
    uint64_t reps;
    unsigned jobs;                   /* threads for the replications */
    cli_table *table;                /* the summary, or NULL */
    const cli_point *point;          /* a sweep's point: its rows go to CLI_POINT_CSV */
    int progress;                    /* show the progress line (per o->progress) */
    struct cli_progress *progress_view; /* else a sweep's line, or NULL (cli_progress_point) */
    int quiet_warnings;              /* keep the warnings for run.json only (sweep points) */
    cli_committer *committer;        /* a sweep's: the point's files are closed unsynced and
                                        handed to it (cli_commit_point) instead of committed */
    uint64_t reps_done;              /* out: replications written (fewer than reps when
                                        o->precision stopped early) */
} cli_job;
/* --precision: at least this many replications before the relative half-width is trusted. */
#define CLI_PRECISION_MIN_REPS 5
/* --precision without --reps: at most this many. */
#define CLI_PRECISION_MAX_REPS 100
/* 0, or EXIT_MODEL after printing why. Signals must have been taken (cli_signals_take). */
int cli_run_job(cli_job *job);
/* SIGINT and SIGTERM go to a thread that removes every run's staging directory, says
 * "dessa: interrupted" followed by note (or by whether results were written, when note is
 * NULL), then ends the process with the signal. */
void cli_signals_take(const char *note);
void cli_signals_release(void);
/* Tells how --precision ended (stderr). */
void cli_precision_note(const options *o, uint64_t done, uint64_t max);
/* out/<scenario name without .lua> */
void cli_default_out(const char *scenario, char *dir, size_t n);

/* mpi.c: the ranks of an MPI job (one rank, doing nothing, without MPI). cli_mpi_start
 * initialises MPI when an MPI launcher started the program: 1, 0 (not launched by MPI) or -1. */
int cli_mpi_start(int *argc, char ***argv);
void cli_mpi_stop(void);
int cli_mpi_rank(void);
int cli_mpi_size(void);
int cli_mpi_bcast(int v);                 /* rank 0's v, on every rank */
void cli_mpi_max(int *v, size_t n);       /* elementwise maximum over the ranks, in place */
const char *cli_mpi_name(void);           /* "MPI" when built with it, else NULL */

/* batches.c: batch means over one long run (--batches B): a time-series sink in front of the
 * writer that keeps, per entity and metric, the batch means' tally and lag-1 sums. */
#define CLI_BATCH_METRICS 9
typedef struct cli_batch_slot {
    char *entity, *kind;
    sim_tally t[CLI_BATCH_METRICS];
    double first[CLI_BATCH_METRICS], last[CLI_BATCH_METRICS], cross[CLI_BATCH_METRICS];
    int gap[CLI_BATCH_METRICS];
} cli_batch_slot;
typedef struct cli_batches {
    double warmup, sample, tick;
    cli_batch_slot *slots;
    size_t n, cap, pos;
    sim_series_fn next;
    void *next_ud;
} cli_batches;
#define CLI_BATCHES_CSV "batches.csv"
void cli_batches_init(cli_batches *b, double warmup, double sample, sim_series_fn next, void *ud);
int cli_batches_write(void *ud, const sim_series_row *row);   /* a sim_series_fn */
const char *const *cli_batches_columns(size_t *n);
int cli_batches_rows(sim_file *f, const cli_batches *b, uint64_t rep);
void cli_batches_fini(cli_batches *b);

/* sweep.c: reading dessa's own CSV files line by line. cli_split_csv splits an RFC 4180 line
 * (no line break inside a field) in place and returns the number of fields (at most max);
 * cli_chomp drops the line end. */
size_t cli_split_csv(char *line, char **fields, size_t max);
void cli_chomp(char *s);

/* warmup.c: dessa warmup DIR — the warm-up a run needs, from its time series. */
int cli_warmup(int argc, char **argv);
extern const char cli_warmup_help[];

/* sweep.c: a point's rows of sweep.csv, written beside its results. */
#define CLI_POINT_CSV "point.csv"
/* Writes replication rep's row (the header first, for rep 0); 0, or -1 with f->err set. */
int cli_point_row(sim_file *f, const cli_point *pt, uint64_t rep, const sim_rep_result *res);
/* Takes point pt's staged results (closed without a sync): they are made durable and put in
 * place by the committer's thread; a failure there marks the point failed. */
void cli_commit_point(cli_committer *c, const cli_point *pt, sim_outdir *d);
/* Called by the signal thread: removes the sweep's files in progress. */
void cli_sweep_abort(void);

/* Warnings about a model or a run (check.c): printed on stderr as "warning: MESSAGE" and listed
 * in run.json's "warnings". kind: "overloaded", "overloaded_at_peak", "not_steady",
 * "in_flight_at_end"; entity: what it is about ("service 'web'", "host 'vm'", "flow 'users'");
 * value: the figure behind it (a utilization, a growth factor, a share in flight). */
typedef struct cli_warning {
    char kind[32];
    char entity[256];
    double value;
    char message[1024];
} cli_warning;
typedef struct cli_warnings {
    cli_warning *w;
    size_t n, cap;
} cli_warnings;
/* Appends a warning (dropped silently when memory runs out: warnings never stop a run). */
void cli_warn(cli_warnings *l, const char *kind, const char *entity, double value,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));
void cli_warnings_print(const cli_warnings *l, size_t from, FILE *f);
void cli_warnings_free(cli_warnings *l);
/* The overload warnings of a built model (static analysis, model/capacity.h); SIM_OK or
 * SIM_ENOMEM. With f, also prints the model summary there. */
int cli_overload(const sim_engine *e, cli_warnings *out, FILE *f);

/* table.c: the summary across replications, one cell per entity and column. */
cli_table *cli_table_new(void);
/* Adds a replication's result; SIM_OK or SIM_ENOMEM. The first one fixes the rows. */
int cli_table_add(cli_table *t, const sim_rep_result *res);
/* The line above the table: scenario, replications, seed (printed before the run). */
void cli_table_print_header(FILE *f, const char *scenario, uint64_t reps, uint64_t seed);
/* The table itself and where the results are (after the run). A part (flows, services, brokers)
 * longer than `rows` (0: no limit) shows only that many: those with the most requests or
 * messages that did not end well, then the busiest; a line says how many it leaves to the CSV
 * file. */
void cli_table_print(const cli_table *t, FILE *f, const char *scenario, uint64_t seed,
                     const char *dir, uint64_t rows);
void cli_table_free(cli_table *t);

/* progress.c: the progress line (see there). NULL (and nothing printed) when mode and stderr
 * say no progress; every function takes NULL. A slot per worker thread, 0..jobs-1. */
typedef struct cli_progress cli_progress;
cli_progress *cli_progress_start(int mode, uint64_t reps, unsigned jobs, double duration);
/* Points engine e's progress hook at slot i (call before sim_engine_run). */
void cli_progress_attach(cli_progress *pr, sim_engine *e, unsigned i);
/* Replication run in slot i has ended after `events` events. */
void cli_progress_rep_done(cli_progress *pr, unsigned i, uint64_t events);
/* Erases the line and prints no more (before an error message). */
void cli_progress_pause(cli_progress *pr);
/* Stops the printer; erases the line on a terminal, writes the final one elsewhere (when ok).
 * On a view (below) pause only erases the line for a moment and stop does nothing. */
void cli_progress_stop(cli_progress *pr, int ok);
/* A sweep's line over points points of reps replications, run by threads threads of
 * point_jobs replication threads each. */
cli_progress *cli_progress_sweep(int mode, uint64_t points, uint64_t reps, unsigned threads,
                                 unsigned point_jobs);
/* The view of point thread t (0..threads-1) for its next point, whose run lasts duration:
 * given to cli_run_job as job.progress_view, it counts into the sweep's line. */
cli_progress *cli_progress_point(cli_progress *pr, unsigned t, double duration);
/* The view's point has ended with reps_done of its reps replications (fewer: --precision). */
void cli_progress_point_done(cli_progress *view, uint64_t reps, uint64_t reps_done);
/* 1 when the line is rewritten in place on a terminal. */
int cli_progress_tty(const cli_progress *pr);
/* Erase the line and keep it off while the caller writes to stderr, until release. */
void cli_progress_hold(cli_progress *pr);
void cli_progress_release(cli_progress *pr);

/* json.c: run.json, written around the replications' lines. */
typedef struct cli_json_run {
    const char *scenario;
    uint64_t seed, reps;
    unsigned jobs;
    double duration, warmup, sample;
    const dessa_scenario *sc;        /* for the parameters */
    const dessa_override *sets;      /* --set, to say which parameters were set */
    size_t nsets;
    uint64_t events;
    double wall;
    const struct cli_warnings *warnings;   /* run.json's "warnings" (NULL: none) */
} cli_json_run;
/* One replication's line (no trailing comma or newline), in a malloc'd string; NULL on ENOMEM. */
char *cli_json_rep(const sim_rep_result *res);
/* The text before and after the replications' lines; malloc'd, NULL on ENOMEM (never a
 * truncated text). */
char *cli_json_head(const cli_json_run *run);
const char *cli_json_tail(void);
/* What makes two runs the same run, as run.json writes it: the scenario's file name and the
 * parameters' values ("scenario_file": ..., "params": { ... }). malloc'd; NULL on ENOMEM. */
char *cli_json_identity(const char *scenario, const dessa_scenario *sc);

#endif
