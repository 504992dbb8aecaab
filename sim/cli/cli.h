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

#define EXIT_MODEL 1
#define EXIT_USAGE 2
#define MAX_SETS 256

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
    const char *run_only;       /* the first option given that only run takes, or NULL */
    dessa_override sets[MAX_SETS];
    size_t nsets;
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

/* overwrite.c: 0 when dessa run may write its results in dir (nothing there, the same run, or
 * --force); else EXIT_USAGE after saying what differs. */
int cli_check_overwrite(const options *o, const char *dir, const dessa_scenario *sc);

/* run.c, check.c */
int cli_run(const options *o);
int cli_check(const options *o);

/* table.c: the summary across replications, one cell per entity and column. */
typedef struct cli_table cli_table;
cli_table *cli_table_new(void);
/* Adds a replication's result; SIM_OK or SIM_ENOMEM. The first one fixes the rows. */
int cli_table_add(cli_table *t, const sim_rep_result *res);
/* The line above the table: scenario, replications, seed (printed before the run). */
void cli_table_print_header(FILE *f, const char *scenario, uint64_t reps, uint64_t seed);
/* The table itself and where the results are (after the run). */
void cli_table_print(const cli_table *t, FILE *f, const char *scenario, uint64_t seed,
                     const char *dir);
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
/* Stops the printer; erases the line on a terminal, writes the final one elsewhere (when ok). */
void cli_progress_stop(cli_progress *pr, int ok);

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
