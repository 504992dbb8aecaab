/* cli: the parts of the dessa command line — the only part of the program that prints or exits.
 *
 *   main.c   the commands and the usage text
 *   opts.c   options
 *   run.c    dessa run: replication threads, one Lua state each, results written in order
 *   check.c  dessa check
 *   table.c  the summary table printed after a run
 *   json.c   run.json */
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

typedef struct options {
    const char *cmd, *scenario, *out;
    uint64_t seed;
    int has_seed;
    uint64_t reps;
    unsigned jobs;
    int quiet, unsafe;
    int help;                   /* -h or --help after the command */
    dessa_override sets[MAX_SETS];
    size_t nsets;
} options;

/* opts.c */
/* Prints "dessa: MESSAGE" and the help hint; returns EXIT_USAGE. fmt has one %s. */
int cli_usage_error(const char *fmt, const char *arg);
/* Parses argv[2..]; 0, or EXIT_USAGE after printing why. */
int cli_parse_args(int argc, char **argv, options *o);
/* The load options of o (quiet for the copies loaded per thread). */
dessa_load_opts cli_load_opts(const options *o, int quiet);

/* run.c, check.c */
int cli_run(const options *o);
int cli_check(const options *o);

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
typedef struct cli_table cli_table;
cli_table *cli_table_new(void);
/* Adds a replication's result; SIM_OK or SIM_ENOMEM. The first one fixes the rows. */
int cli_table_add(cli_table *t, const sim_rep_result *res);
void cli_table_print(const cli_table *t, FILE *f, const char *scenario, uint64_t seed,
                     const char *dir);
void cli_table_free(cli_table *t);

/* json.c: run.json, written around the replications' lines. */
typedef struct cli_json_run {
    const char *scenario;
    uint64_t seed, reps;
    unsigned jobs;
    double duration, warmup, sample;
    const dessa_scenario *sc;        /* for the parameters */
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

#endif
