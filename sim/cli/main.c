/* main: the dessa command line — dispatch to the commands (see cli.h for the parts).
 *
 *   dessa run SCENARIO.lua [-o DIR] [--seed N] [--set NAME=VALUE]... [--reps N] [-j N] [--quiet]
 *   dessa check SCENARIO.lua [--set NAME=VALUE]...
 *   dessa --help | --version
 *
 * Exit status: 0 success, 1 a scenario or model error, 2 a usage error. */
#include <stdio.h>
#include <string.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "cli.h"

static const char usage[] =
    "usage: dessa run SCENARIO.lua [options]    run a scenario and write CSV results\n"
    "       dessa check SCENARIO.lua [--set ..] load and validate a scenario without running\n"
    "       dessa --help | --version\n"
    "\n"
    "options for run:\n"
    "  -o, --out DIR        output directory (default out/<scenario name>)\n"
    "  --seed N             base seed of every random stream (default: run.seed or 1)\n"
    "  --set NAME=VALUE     override param(NAME, ...) in the scenario (once per NAME)\n"
    "  --reps N             independent replications, one row each (default 1)\n"
    "  -j, --jobs N         replications run on N threads at once (default 1)\n"
    "  -q, --quiet          no summary table\n"
    "  --unsafe             lift the scenario sandbox (os, io, require)\n"
    "  -h, --help           this text (also: dessa help run, dessa run --help)\n"
    "Values may be attached: --out=DIR, --reps=5, --set=rate=2, -j2, -oDIR.\n"
    "\n"
    "Outputs: flows.csv, services.csv, replicas.csv, endpoints.csv, timeseries.csv, latency.csv,\n"
    "run.json (docs/outputs.md).\n"
    "Exit status: 0 success, 1 scenario or model error, 2 usage error.\n";

int main(int argc, char **argv)
{
#ifdef __GLIBC__
    /* Replications build and free an engine each. Left to itself, glibc raises its mmap
     * threshold after the first free of a large block and then serves pool slabs from the heap,
     * where the small blocks that outlive each engine (results, file buffers) fragment it: peak
     * memory creeps up with --reps. A fixed threshold hands large blocks back at once. */
    mallopt(M_MMAP_THRESHOLD, 64 * 1024);
#endif
    if (argc < 2)
        return cli_usage_error("%s", "no command given");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        if (argc > 2 && strcmp(argv[2], "run") && strcmp(argv[2], "check"))
            return cli_usage_error("no help for '%s': the commands are run and check", argv[2]);
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("dessa %s\n", DESSA_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "run") && strcmp(argv[1], "check"))
        return cli_usage_error("unknown command '%s'", argv[1]);
    options o;
    int rc = cli_parse_args(argc, argv, &o);
    if (rc)
        return rc;
    if (o.help) {   /* dessa run --help */
        fputs(usage, stdout);
        return 0;
    }
    return !strcmp(o.cmd, "run") ? cli_run(&o) : cli_check(&o);
}
