/* main: the dessa command line — the table of commands, their help, and the dispatch (see cli.h
 * for the parts).
 *
 *   dessa run SCENARIO.lua [options]
 *   dessa sweep SCENARIO.lua [options]
 *   dessa merge DIR... [-o OUT]
 *   dessa check SCENARIO.lua [--set NAME=VALUE]...
 *   dessa plot DIR [--format png|svg|png,svg] [--rep N]     (plot.c)
 *   dessa report DIR                                        (report.c)
 *   dessa help [COMMAND] | --help | --version
 *
 * A command is a row of `commands`: its name, the line of `dessa --help` that presents it, its
 * own help (dessa help NAME, dessa NAME --help) and the function that runs it with argv. The man
 * page is made from these texts at build time (scripts/man.sh), so they are its only source.
 *
 * Exit status: 0 success, 1 a scenario or model error, 2 a usage error. */
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"
#include "core/alloc.h"
#include "plot.h"

#define RUN_OPTIONS                                                                           \
    "  -o, --out DIR        output directory (default out/<scenario name>); a directory that\n" \
    "                       holds the results of a different run (other parameters or\n"       \
    "                       scenario) is refused\n"                                            \
    "  -f, --force          replace the results of a different run in the output directory\n" \
    "  --seed N             base seed of every random stream (default: run.seed or 1)\n"       \
    "  --set NAME=VALUE     override param(NAME, ...) in the scenario (once per NAME)\n"       \
    "  --reps N             independent replications, one row each (default 1)\n"             \
    "  -j, --jobs N         replications run on N threads at once (default 1)\n"              \
    "  -q, --quiet          no header, summary table or progress line\n"                       \
    "  --rows N             rows of each part of the summary table (default 30; 0: all); a\n" \
    "                       longer part shows the rows with the most failures, then the\n"    \
    "                       busiest\n"                                                        \
    "  --progress[=WHEN]    the progress line on stderr: auto (default: when stderr is a\n"    \
    "                       terminal), always (alone: always) or never\n"                      \
    "  --precision R        replications until every target's 95% half-width is within R\n" \
    "                       of its mean (0.02: 2%; at least 5, at most --reps or 100)\n"      \
    "  --target E.METRIC    a target of --precision (default: every flow's latency_mean)\n"  \
    "  --unsafe             lift the scenario sandbox (os, io, require)\n"                     \
    "  -h, --help           this text\n"

#define SWEEP_OPTIONS                                                                         \
    "  --param NAME=V1,V2   sweep param NAME over these values (replaces the scenario's list,\n" \
    "                       or adds NAME to the sweep)\n"                                      \
    "  --reps N             replications per point (default: sweep { reps } or 1)\n"           \
    "  -j, --jobs N         points and replications run on N threads at once\n"               \
    "  --resume             finish an interrupted sweep in DIR: only missing points run\n"     \
    "  --shard I/N          run only points I-1, I-1+N, ... (1 <= I <= N), then dessa merge\n" \
    "  --compare NAME=A,B   paired differences B - A per metric: sweep_compare.csv\n"

#define VALUE_FORMS "Values may be attached: --out=DIR, --reps=5, --set=rate=2, -j2, -oDIR.\n"

#define EXIT_STATUS "Exit status: 0 success, 1 scenario or model error, 2 usage error.\n"

static const char overview[] =
    "usage: dessa run SCENARIO.lua [options]     run a scenario and write CSV results\n"
    "       dessa sweep SCENARIO.lua [options]   run every point of the scenario's sweep { }\n"
    "       dessa merge DIR... [-o OUT]          join the shards of a sweep (--shard I/N)\n"
    "       dessa check SCENARIO.lua [options]   load and validate a scenario, without running\n"
    "       dessa plot DIR [--format png|svg]    charts of a run's results\n"
    "       dessa report DIR                     DIR/report.html: tables, charts, the scenario\n"
    "       dessa warmup DIR                     the warm-up a run needs, from its time series\n"
    "       dessa help [COMMAND]                 this text, or the help of one command\n"
    "       dessa --help | --version\n"
    "\n"
    "dessa simulates the requests that flow through services described in a Lua scenario\n"
    "(threads, cores, queues, calls, clients) and writes what it measured as CSV files.\n"
    "\n"
    "options for run:\n" RUN_OPTIONS
    "  --batches B          batch means: B batches after the warm-up, intervals from one\n"
    "                       run (batches.csv; the time series is sampled once per batch)\n"
    VALUE_FORMS
    "\n"
    "options for sweep (and those of run but --batches):\n" SWEEP_OPTIONS
    "\n"
    "Outputs: flows.csv, services.csv, replicas.csv, endpoints.csv, timeseries.csv, latency.csv,\n"
    "run.json (docs/outputs.md);\n"
    "a sweep: sweep.csv, sweep_summary.csv, sweep.json and points/N/ (docs/sweeps.md).\n"
    EXIT_STATUS;

static const char run_help[] =
    "usage: dessa run SCENARIO.lua [options]\n"
    "\n"
    "Runs the scenario's replications and writes their results in the output directory:\n"
    "flows.csv, services.csv, replicas.csv, endpoints.csv, timeseries.csv, latency.csv and\n"
    "run.json (docs/outputs.md). The set appears all at once when the run ends; an\n"
    "interrupted or failed run leaves nothing. The header prints before the run, the summary\n"
    "table after it; the progress line goes to stderr.\n"
    "\n"
    "options:\n" RUN_OPTIONS
    "  --batches B          batch means: B batches after the warm-up, intervals from one\n"
    "                       run (batches.csv; the time series is sampled once per batch)\n"
    VALUE_FORMS
    "\n" EXIT_STATUS;

static const char sweep_help[] =
    "usage: dessa sweep SCENARIO.lua [options]\n"
    "\n"
    "Runs every point of the scenario's sweep { } (or of --param lists), each as dessa run\n"
    "--set NAME=VALUE would, into DIR/points/N/, then writes DIR/sweep.csv (one row per point\n"
    "and replication) and DIR/sweep_summary.csv (per point and metric: n, mean, sd, 95%\n"
    "half-width). DIR defaults to out/<scenario name>-sweep. `mpirun -np N dessa sweep`\n"
    "spreads the points over MPI ranks when dessa was built with MPI (docs/sweeps.md).\n"
    "\n"
    "options:\n" SWEEP_OPTIONS
    "  -o, --out DIR        the sweep's directory (new, empty, or this sweep's with --resume)\n"
    "  --seed N, --set NAME=VALUE, --precision R, --target E.METRIC, -q, --unsafe: as for run\n"
    "  -h, --help           this text\n"
    VALUE_FORMS
    "\n" EXIT_STATUS;

static const char merge_help[] =
    "usage: dessa merge DIR... [-o OUT] [-q]\n"
    "\n"
    "Joins the points of a sweep run in shards (dessa sweep --shard I/N) into OUT (default:\n"
    "the first DIR) and writes sweep.csv and sweep_summary.csv as one sweep would. Every DIR\n"
    "must hold the same sweep (sweep.json); a missing point is named.\n"
    "\n"
    "options:\n"
    "  -o, --out OUT        where the joined sweep goes (new or empty, or one of the DIRs)\n"
    "  -q, --quiet          no table of the points\n"
    "  -h, --help           this text\n"
    "\n" EXIT_STATUS;

static const char check_help[] =
    "usage: dessa check SCENARIO.lua [options]\n"
    "\n"
    "Loads the scenario and builds its model once, without running it. Prints\n"
    "'SCENARIO.lua: ok', or the first mistake as file:line: message.\n"
    "\n"
    "options:\n"
    "  --set NAME=VALUE     override param(NAME, ...) in the scenario (once per NAME)\n"
    "  --seed N             the seed the scenario's math.random is seeded with\n"
    "  --unsafe             lift the scenario sandbox (os, io, require)\n"
    "  -h, --help           this text\n"
    "\n" EXIT_STATUS;

static int run_main(int argc, char **argv);
static int sweep_main(int argc, char **argv);
static int check_main(int argc, char **argv);

typedef struct command {
    const char *name;
    const char *help;                     /* dessa help NAME */
    int (*main)(int argc, char **argv);   /* argv[1] is the command's name */
} command;

static const command commands[] = {
    { "run", run_help, run_main },
    { "sweep", sweep_help, sweep_main },
    { "merge", merge_help, cli_merge },
    { "check", check_help, check_main },
    { "plot", cli_plot_help, cli_plot },
    { "report", cli_report_help, cli_report },
    { "warmup", cli_warmup_help, cli_warmup },
};
#define NCOMMANDS (sizeof commands / sizeof *commands)

static const command *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(commands[i].name, name))
            return &commands[i];
    return NULL;
}

/* "run, check" for messages. */
static void command_names(char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = 0;
    for (size_t i = 0; i < NCOMMANDS && used < n; i++)
        used += (size_t)snprintf(buf + used, n - used, "%s%s", i ? ", " : "", commands[i].name);
}

/* Parses the options shared by run and check; returns -1 to go on, else the exit status. */
static int parse(int argc, char **argv, const command *c, options *o)
{
    int rc = cli_parse_args(argc, argv, o);
    if (rc)
        return rc;
    if (o->help) {   /* dessa run --help */
        fputs(c->help, stdout);
        return 0;
    }
    return -1;
}

static int run_main(int argc, char **argv)
{
    options o;
    int rc = parse(argc, argv, find_command("run"), &o);
    return rc >= 0 ? rc : cli_run(&o);
}

static int sweep_main(int argc, char **argv)
{
    options o;
    int rc = parse(argc, argv, find_command("sweep"), &o);
    if (rc >= 0)
        return rc;
    if (o.batches)
        return cli_usage_error("%s is an option of run, not of sweep", "--batches");
    if (cli_mpi_start(&argc, &argv) < 0) {
        fprintf(stderr, "dessa: MPI did not start\n");
        return EXIT_MODEL;
    }
    rc = cli_sweep(&o);
    cli_mpi_stop();
    return rc;
}

static int check_main(int argc, char **argv)
{
    options o;
    int rc = parse(argc, argv, find_command("check"), &o);
    if (rc < 0 && o.run_only)   /* taken and ignored would mislead */
        return cli_usage_error("%s is an option of run, not of check", o.run_only);
    return rc >= 0 ? rc : cli_check(&o);
}

static int help(int argc, char **argv)
{
    if (argc < 3) {
        fputs(overview, stdout);
        return 0;
    }
    const command *c = find_command(argv[2]);
    if (!c) {
        char names[256], msg[300];
        command_names(names, sizeof names);
        snprintf(msg, sizeof msg, "no help for '%%s': the commands are %s", names);
        return cli_usage_error(msg, argv[2]);
    }
    fputs(c->help, stdout);
    return 0;
}

/* The heap grows by at least this much at a time, so that its new room is advised for large
 * pages (core/alloc.c) before most of it is touched. Address space only: pages are mapped as
 * they are written. */
#define HEAP_STEP (32 * 1024 * 1024)

int main(int argc, char **argv)
{
#ifdef __GLIBC__
    /* Replications build and free an engine each. Left to itself, glibc raises its mmap
     * threshold after the first free of a large block and then serves pool slabs from the heap,
     * where the small blocks that outlive each engine (results, file buffers) fragment it: peak
     * memory creeps up with --reps. A fixed threshold keeps the sizes steady. It is 4 MB, not
     * 64 kB: at 64 kB an engine's slabs (200-250 kB, and 1 MB per scenario) were mapped and
     * unmapped for every replication, and with two threads each unmap stops the other CPU to
     * flush its TLB and waits on the process's mapping lock (a 40-point sweep of short jobs,
     * -j 2: 10% more CPU; peak memory is the same, tests/memory.sh).
     * The top of the heap, though, is kept up to 64 MB: trimmed after every replication's
     * frees, it was grown again (page faults) by the next one, which cost more system time
     * than the whole of a small replication (2 000 replications of a 1-second run: 0.68 s of
     * system time, 0.10 s without the trims; peak memory is the same). */
    mallopt(M_MMAP_THRESHOLD, 4 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
    mallopt(M_TOP_PAD, HEAP_STEP);
    sim_alloc_large_pages();
#endif
    if (argc < 2)
        return cli_usage_error("%s", "no command given");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
        return help(argc, argv);
    if (!strcmp(argv[1], "--version")) {
        printf("dessa %s%s\n", DESSA_VERSION, cli_mpi_name() ? " (with MPI)" : "");
        return 0;
    }
    const command *c = find_command(argv[1]);
    if (!c)
        return cli_usage_error(argv[1][0] == '-' ? "unknown option '%s' (options come after "
                                                   "the command: dessa run SCENARIO.lua OPTIONS)"
                                                 : "unknown command '%s'",
                               argv[1]);
    return c->main(argc, argv);
}
