/* opts: the options of dessa run and dessa check. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

int cli_usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "dessa: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see dessa --help)\n");
    return EXIT_USAGE;
}

void cli_print_error(const char *msg)
{
    if (!strncmp(msg, "error: ", 7))
        fprintf(stderr, "dessa: %s\n", msg + 7);
    else
        fprintf(stderr, "%s\n", msg);
}

/* Parses a whole non-negative decimal number, digits only (no sign, no blanks); 0 on success. */
static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || *s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int add_set(options *o, char *v)
{
    char *eq = v ? strchr(v, '=') : NULL;
    if (!eq || eq == v)
        return cli_usage_error("--set needs NAME=VALUE, got '%s'", v ? v : "");
    if (o->nsets == MAX_SETS)
        return cli_usage_error("too many --set options (at most %s)", "256");
    *eq = 0;
    for (size_t i = 0; i < o->nsets; i++)
        if (!strcmp(o->sets[i].name, v))
            return cli_usage_error("--set %s given twice", v);
    o->sets[o->nsets++] = (dessa_override){ v, eq + 1 };
    return 0;
}

static int add_param(options *o, char *v)
{
    char *eq = v ? strchr(v, '=') : NULL;
    if (!eq || eq == v || !eq[1])
        return cli_usage_error("--param needs NAME=V1,V2,..., got '%s'", v ? v : "");
    if (o->nparams == MAX_SETS)
        return cli_usage_error("too many --param options (at most %s)", "256");
    *eq = 0;
    for (size_t i = 0; i < o->nparams; i++)
        if (!strcmp(o->params[i].name, v))
            return cli_usage_error("--param %s given twice", v);
    o->params[o->nparams++] = (dessa_override){ v, eq + 1 };
    return 0;
}

int cli_parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->reps = 1;
    o->jobs = 1;
    o->rows = CLI_TABLE_ROWS;
    o->cmd = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        char *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n;
        /* The forms people type: --name=value, and a short option's value attached (-j2,
         * -oDIR). `take` is how many arguments the value costs: 0 when it was attached. */
        char name[32];
        int take = 1;
        char *eq = a[0] == '-' && a[1] == '-' ? strchr(a, '=') : NULL;
        if (eq && (size_t)(eq - a) < sizeof name) {
            memcpy(name, a, (size_t)(eq - a));
            name[eq - a] = 0;
            a = name;
            v = eq + 1;
            take = 0;
        } else if (a[0] == '-' && (a[1] == 'j' || a[1] == 'o') && a[2]) {
            snprintf(name, sizeof name, "-%c", a[1]);
            v = (char *)a + 2;
            a = name;
            take = 0;
        }
        static const char *const run_only[] = { "-o", "--out", "--reps", "-j", "--jobs", "-q",
                                                "--quiet", "-f", "--force", "--progress",
                                                "--rows" };
        for (size_t k = 0; !o->run_only && k < sizeof run_only / sizeof *run_only; k++)
            if (!strcmp(a, run_only[k]))
                o->run_only = run_only[k];
        int flag = !strcmp(a, "-q") || !strcmp(a, "--quiet") || !strcmp(a, "--unsafe") ||
                   !strcmp(a, "-h") || !strcmp(a, "--help") || !strcmp(a, "-f") ||
                   !strcmp(a, "--force") || !strcmp(a, "--resume");
        int sweep = !strcmp(o->cmd, "sweep");
        if (sweep && !strcmp(a, "--rows"))
            return cli_usage_error("%s is an option of dessa run (a sweep prints no table)", a);
        if (!sweep && (!strcmp(a, "--param") || !strcmp(a, "--resume") || !strcmp(a, "--shard") ||
                       !strcmp(a, "--compare")))
            return cli_usage_error("%s is an option of dessa sweep", a);
        if (flag && !take)
            return cli_usage_error("%s takes no value", a);
        if (!strcmp(a, "-o") || !strcmp(a, "--out")) {
            if (!v || !*v)
                return cli_usage_error("%s needs a directory", a);
            o->out = v;
            i += take;
        } else if (!strcmp(a, "--seed")) {
            if (parse_u64(v, &o->seed))
                return cli_usage_error("--seed needs a whole number, got '%s'", v ? v : "");
            o->has_seed = 1;
            i += take;
        } else if (!strcmp(a, "--reps")) {
            if (parse_u64(v, &o->reps) || o->reps < 1 || o->reps > 1000000)
                return cli_usage_error("--reps needs a whole number from 1 to 1000000, got '%s'",
                                       v ? v : "");
            o->has_reps = 1;
            i += take;
        } else if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
            if (parse_u64(v, &n) || n < 1 || n > 1024)
                return cli_usage_error("-j needs a whole number from 1 to 1024, got '%s'",
                                       v ? v : "");
            o->jobs = (unsigned)n;
            i += take;
        } else if (!strcmp(a, "--set")) {
            int rc = add_set(o, v);
            if (rc)
                return rc;
            i += take;
        } else if (!strcmp(a, "--param")) {
            int rc = add_param(o, v);
            if (rc)
                return rc;
            i += take;
        } else if (!strcmp(a, "--shard")) {
            unsigned si, sn;
            char tail;
            if (!v || sscanf(v, "%u/%u%c", &si, &sn, &tail) != 2 || sn < 1 || si < 1 || si > sn ||
                sn > 1000000)
                return cli_usage_error("--shard needs I/N with 1 <= I <= N, got '%s'", v ? v : "");
            o->shard_i = si;
            o->shard_n = sn;
            i += take;
        } else if (!strcmp(a, "--precision")) {
            char *end;
            double r = v ? strtod(v, &end) : 0;
            if (!v || end == v || *end || !(r > 0 && r < 1))
                return cli_usage_error("--precision needs a relative half-width between 0 and 1 "
                                       "(0.02 for 2%%), got '%s'", v ? v : "");
            o->precision = r;
            i += take;
        } else if (!strcmp(a, "--batches")) {
            if (parse_u64(v, &n) || n < 2 || n > 100000)
                return cli_usage_error("--batches needs a whole number from 2 to 100000, got '%s'",
                                       v ? v : "");
            o->batches = (unsigned)n;
            i += take;
        } else if (!strcmp(a, "--target")) {
            if (!v || !strchr(v, '.'))
                return cli_usage_error("--target needs ENTITY.METRIC (users.latency_p99), got '%s'",
                                       v ? v : "");
            if (o->ntargets == 64)
                return cli_usage_error("too many --target options (at most %s)", "64");
            o->targets[o->ntargets++] = v;
            i += take;
        } else if (!strcmp(a, "--compare")) {
            if (!v || !*v)
                return cli_usage_error("--compare needs NAME=A,B, got '%s'", v ? v : "");
            o->compare = v;
            i += take;
        } else if (!strcmp(a, "--rows")) {
            if (parse_u64(v, &o->rows) || o->rows > 1000000000)
                return cli_usage_error("--rows needs a whole number (0: every row), got '%s'",
                                       v ? v : "");
            i += take;
        } else if (!strcmp(a, "--resume")) {
            o->resume = 1;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = 1;
        } else if (!strcmp(a, "--unsafe")) {
            o->unsafe = 1;
        } else if (!strcmp(a, "-f") || !strcmp(a, "--force")) {
            o->force = 1;
        } else if (!strcmp(a, "--progress")) {
            /* --progress[=WHEN], as GNU's --color[=WHEN]: alone it means always. */
            const char *w = take ? "always" : v;
            if (!strcmp(w, "auto"))
                o->progress = CLI_PROGRESS_AUTO;
            else if (!strcmp(w, "always"))
                o->progress = CLI_PROGRESS_ALWAYS;
            else if (!strcmp(w, "never"))
                o->progress = CLI_PROGRESS_NEVER;
            else
                return cli_usage_error("--progress takes auto, always or never, got '%s'", w);
            o->progress_given = 1;
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            o->help = 1;
            return 0;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("unknown option '%s'", a);
        } else if (!o->scenario) {
            o->scenario = a;
        } else {
            return cli_usage_error("unexpected argument '%s'", a);
        }
    }
    if (!o->scenario)
        return cli_usage_error("%s needs a scenario file", o->cmd);
    if (o->ntargets && !(o->precision > 0))
        return cli_usage_error("--target %s needs --precision R", o->targets[0]);
    return 0;
}

dessa_load_opts cli_load_opts(const options *o, int quiet)
{
    return (dessa_load_opts){ .overrides = o->sets, .noverrides = o->nsets, .seed = o->seed,
                              .has_seed = o->has_seed, .unsafe = o->unsafe, .quiet = quiet };
}

dessa_scenario *cli_load(const options *o)
{
    char err[1024];
    dessa_load_opts lo = cli_load_opts(o, 0);
    dessa_scenario *sc = dessa_scenario_load(o->scenario, &lo, err, sizeof err);
    if (!sc)
        cli_print_error(err);
    return sc;
}
