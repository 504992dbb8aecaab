/* main: the dessa command line — the only part of the program that prints or exits.
 *
 *   dessa run SCENARIO.lua [-o DIR] [--seed N] [--set NAME=VALUE]... [--reps N] [-j N] [--quiet]
 *   dessa check SCENARIO.lua [--set NAME=VALUE]...
 *   dessa --help | --version
 *
 * Exit status: 0 success, 1 a scenario or model error, 2 a usage error. */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "binding.h"
#include "core/alloc.h"
#include "core/error.h"
#include "out/results.h"
#include "stats/ci.h"
#include "stats/tally.h"

#define EXIT_MODEL 1
#define EXIT_USAGE 2
#define MAX_SETS 256

static const char usage[] =
    "usage: dessa run SCENARIO.lua [options]    run a scenario and write CSV results\n"
    "       dessa check SCENARIO.lua [--set ..] load and validate a scenario without running\n"
    "       dessa --help | --version\n"
    "\n"
    "options for run:\n"
    "  -o, --out DIR        output directory (default out/<scenario name>)\n"
    "  --seed N             base seed of every random stream (default: run.seed or 1)\n"
    "  --set NAME=VALUE     override param(NAME, ...) in the scenario (repeatable)\n"
    "  --reps N             independent replications, one row each (default 1)\n"
    "  -j, --jobs N         replications run on N threads at once (default 1)\n"
    "  -q, --quiet          no summary table\n"
    "  --unsafe             lift the scenario sandbox (os, io, require)\n"
    "\n"
    "Outputs: flows.csv, services.csv, timeseries.csv, latency.csv, run.json (docs/outputs.md).\n"
    "Exit status: 0 success, 1 scenario or model error, 2 usage error.\n";

typedef struct options {
    const char *cmd, *scenario, *out;
    uint64_t seed;
    int has_seed;
    uint64_t reps;
    unsigned jobs;
    int quiet, unsafe;
    dessa_override sets[MAX_SETS];
    size_t nsets;
} options;

static int usage_error(const char *fmt, const char *arg)
{
    fprintf(stderr, "dessa: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(see dessa --help)\n");
    return EXIT_USAGE;
}

/* Parses a whole non-negative decimal number; 0 on success. */
static int parse_u64(const char *s, uint64_t *out)
{
    if (!s || !*s || *s == '-')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end)
        return -1;
    *out = v;
    return 0;
}

static int parse_args(int argc, char **argv, options *o)
{
    memset(o, 0, sizeof *o);
    o->reps = 1;
    o->jobs = 1;
    o->cmd = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        uint64_t n;
        if (!strcmp(a, "-o") || !strcmp(a, "--out")) {
            if (!v)
                return usage_error("%s needs a directory", a);
            o->out = v;
            i++;
        } else if (!strcmp(a, "--seed")) {
            if (parse_u64(v, &o->seed))
                return usage_error("--seed needs a whole number, got '%s'", v ? v : "");
            o->has_seed = 1;
            i++;
        } else if (!strcmp(a, "--reps")) {
            if (parse_u64(v, &o->reps) || o->reps < 1 || o->reps > 1000000)
                return usage_error("--reps needs a whole number from 1 to 1000000, got '%s'",
                                   v ? v : "");
            i++;
        } else if (!strcmp(a, "-j") || !strcmp(a, "--jobs")) {
            if (parse_u64(v, &n) || n < 1 || n > 1024)
                return usage_error("-j needs a whole number from 1 to 1024, got '%s'", v ? v : "");
            o->jobs = (unsigned)n;
            i++;
        } else if (!strcmp(a, "--set")) {
            char *eq = v ? strchr(v, '=') : NULL;
            if (!eq || eq == v)
                return usage_error("--set needs NAME=VALUE, got '%s'", v ? v : "");
            if (o->nsets == MAX_SETS)
                return usage_error("too many --set options (at most %s)", "256");
            *eq = 0;
            o->sets[o->nsets++] = (dessa_override){ v, eq + 1 };
            i++;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
            o->quiet = 1;
        } else if (!strcmp(a, "--unsafe")) {
            o->unsafe = 1;
        } else if (a[0] == '-' && a[1]) {
            return usage_error("unknown option '%s'", a);
        } else if (!o->scenario) {
            o->scenario = a;
        } else {
            return usage_error("unexpected argument '%s'", a);
        }
    }
    if (!o->scenario)
        return usage_error("%s needs a scenario file", o->cmd);
    return 0;
}

static dessa_scenario *load(const options *o)
{
    char err[1024];
    dessa_load_opts lo = { o->sets, o->nsets, o->seed, o->has_seed, o->unsafe, 0 };
    dessa_scenario *sc = dessa_scenario_load(o->scenario, &lo, err, sizeof err);
    if (!sc)
        fprintf(stderr, "%s\n", err);
    return sc;
}

static double wall_clock(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- replications ------------------------------------------------------------------- */

typedef struct rep_slot {
    sim_engine *engine;
    int rc;
    double wall;
    char err[1024];
} rep_slot;

typedef struct rep_pool {
    dessa_scenario *sc;
    uint64_t seed, reps, next;
    rep_slot *slots;
    pthread_mutex_t lock;    /* the Lua state and the cursor */
} rep_pool;

static void *rep_worker(void *arg)
{
    rep_pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        uint64_t rep = p->next++;
        rep_slot *s = rep < p->reps ? &p->slots[rep] : NULL;
        if (s)
            s->rc = dessa_scenario_build(p->sc, p->seed, rep, &s->engine, s->err, sizeof s->err);
        pthread_mutex_unlock(&p->lock);
        if (!s)
            return NULL;
        if (s->rc != SIM_OK)
            continue;
        double t0 = wall_clock();
        s->rc = sim_engine_run(s->engine);
        s->wall = wall_clock() - t0;
        if (s->rc != SIM_OK)
            snprintf(s->err, sizeof s->err, "error: replication %" PRIu64 ": %s%s%s", rep,
                     sim_strerror(s->rc), sim_engine_error(s->engine)[0] ? ": " : "",
                     sim_engine_error(s->engine));
    }
}

static int run_reps(rep_pool *p, unsigned jobs)
{
    pthread_mutex_init(&p->lock, NULL);
    if (jobs > p->reps)
        jobs = (unsigned)p->reps;
    pthread_t th[1024];
    unsigned started = 0;
    for (unsigned i = 1; i < jobs; i++)
        if (pthread_create(&th[started], NULL, rep_worker, p) == 0)
            started++;
    rep_worker(p);
    for (unsigned i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&p->lock);
    for (uint64_t r = 0; r < p->reps; r++)
        if (p->slots[r].rc != SIM_OK) {
            fprintf(stderr, "%s\n", p->slots[r].err);
            return -1;
        }
    return 0;
}

/* ---- run.json ----------------------------------------------------------------------- */

typedef struct strbuf {
    char *s;
    size_t n, cap;
} strbuf;

static void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(strbuf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? b->cap - b->n : 0, fmt, ap);
        va_end(ap);
        if (k < 0)
            return;
        if (b->s && b->n + (size_t)k < b->cap) {
            b->n += (size_t)k;
            return;
        }
        size_t cap = (b->cap + (size_t)k + 64) * 2;
        char *ns = realloc(b->s, cap);
        if (!ns)
            return;
        b->s = ns;
        b->cap = cap;
    }
}

static void sb_json_str(strbuf *b, const char *s)
{
    sb_printf(b, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            sb_printf(b, "\\%c", c);
        else if (c < 0x20)
            sb_printf(b, "\\u%04x", c);
        else
            sb_printf(b, "%c", c);
    }
    sb_printf(b, "\"");
}

static char *run_json(const options *o, dessa_scenario *sc, const sim_config *cfg,
                      const rep_pool *p, double wall)
{
    strbuf b = { 0 };
    uint64_t events = 0;
    for (uint64_t r = 0; r < p->reps; r++)
        events += sim_engine_events(p->slots[r].engine);
    sb_printf(&b, "{\n  \"scenario\": ");
    sb_json_str(&b, o->scenario);
    sb_printf(&b, ",\n  \"version\": \"%s\",\n  \"seed\": %" PRIu64 ",\n  \"reps\": %" PRIu64
                  ",\n  \"jobs\": %u,\n", DESSA_VERSION, p->seed, p->reps, o->jobs);
    sb_printf(&b, "  \"run\": { \"duration\": %.10g, \"warmup\": %.10g, \"sample\": %.10g },\n",
              cfg->duration, cfg->warmup, cfg->sample);
    sb_printf(&b, "  \"params\": {");
    size_t np = dessa_scenario_nparams(sc);
    for (size_t i = 0; i < np; i++) {
        char name[256], value[1024];
        dessa_scenario_param(sc, i, name, sizeof name, value, sizeof value);
        sb_printf(&b, "%s ", i ? "," : "");
        sb_json_str(&b, name);
        sb_printf(&b, ": ");
        sb_json_str(&b, value);
    }
    sb_printf(&b, "%s},\n", np ? " " : "");
    sb_printf(&b, "  \"events\": %" PRIu64 ",\n  \"wall_seconds\": %.6f,\n", events, wall);
    sb_printf(&b, "  \"events_per_second\": %.0f,\n", wall > 0 ? (double)events / wall : 0.0);
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) == 0)
        sb_printf(&b, "  \"peak_rss_kb\": %ld,\n", (long)ru.ru_maxrss);
    sb_printf(&b, "  \"replications\": [\n");
    for (uint64_t r = 0; r < p->reps; r++)
        sb_printf(&b, "    { \"rep\": %" PRIu64 ", \"events\": %" PRIu64
                      ", \"wall_seconds\": %.6f, \"ledger\": \"balanced\" }%s\n",
                  r, sim_engine_events(p->slots[r].engine), p->slots[r].wall,
                  r + 1 < p->reps ? "," : "");
    sb_printf(&b, "  ]\n}\n");
    return b.s;
}

/* ---- the summary table -------------------------------------------------------------- */

/* One column of the summary table: a heading, a scale applied to the value, decimals, width. */
typedef struct column {
    const char *head;
    double scale;
    int prec, width;
} column;

static const column flow_cols[] = {
    { "sent", 1, 0, 9 },      { "ok", 1, 0, 9 },        { "errors", 1, 0, 7 },
    { "dropped", 1, 0, 7 },   { "thru/s", 1, 2, 8 },    { "mean ms", 1e3, 2, 9 },
    { "p50 ms", 1e3, 2, 9 },  { "p99 ms", 1e3, 2, 9 },  { "max ms", 1e3, 2, 9 },
};
static const column service_cols[] = {
    { "arrivals", 1, 0, 9 }, { "completed", 1, 0, 9 }, { "failed", 1, 0, 7 },
    { "dropped", 1, 0, 7 },  { "util", 1, 3, 8 },      { "queue", 1, 2, 9 },
    { "wait ms", 1e3, 2, 9 },
};
#define NCOLS(c) (sizeof(c) / sizeof((c)[0]))
#define MAX_COLS 16   /* no table has more columns */
_Static_assert(NCOLS(flow_cols) <= MAX_COLS && NCOLS(service_cols) <= MAX_COLS,
               "a summary table has more than MAX_COLS columns");

/* Prints "mean" (one replication) or "mean±half" (the 95% t half-width across several). */
static void cell(const double *x, uint64_t n, const column *c, int wide)
{
    sim_tally t;
    sim_tally_reset(&t);
    for (uint64_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            sim_tally_add(&t, x[i] * c->scale);
    char buf[64];
    int w = c->width + (wide ? 7 : 0);
    if (t.n == 0)
        snprintf(buf, sizeof buf, "-");
    else if (n < 2)
        snprintf(buf, sizeof buf, "%.*f", c->prec, t.mean);
    else
        snprintf(buf, sizeof buf, "%.*f±%.*f", c->prec, t.mean, c->prec,
                 t.n > 1 ? sim_ci_t_halfwidth(&t, 0.95) : 0.0);
    printf(" %*s", w + (strstr(buf, "±") ? 1 : 0), buf);   /* ± is two bytes wide */
}

static void heading(const char *first, const column *cols, size_t ncols, int wide)
{
    printf("%-14s", first);
    for (size_t k = 0; k < ncols; k++)
        printf(" %*s", cols[k].width + (wide ? 7 : 0), cols[k].head);
    printf("\n");
}

/* Fills v with one row's values (in the order of its columns) and returns the row's name. */
typedef const char *(*row_fn)(const sim_engine *e, uint32_t i, double *v);

static const char *flow_row(const sim_engine *e, uint32_t i, double *v)
{
    sim_flow_summary s;
    sim_results_flow(e, i, &s);
    double row[] = { s.sent, s.ok, s.failed + s.timeouts, s.dropped, s.throughput,
                     s.latency_mean, s.latency_p50, s.latency_p99, s.latency_max };
    memcpy(v, row, sizeof row);
    return s.name;
}

static const char *service_row(const sim_engine *e, uint32_t i, double *v)
{
    sim_service_summary s;
    sim_results_service(e, i, &s);
    double row[] = { s.arrivals, s.completed, s.failed, s.dropped, s.utilization,
                     s.queue_mean, s.wait_mean };
    memcpy(v, row, sizeof row);
    return s.name;
}

/* Prints one table: a row per entity, each cell across all replications. */
static void table(const rep_pool *p, const char *first, const column *cols, size_t ncols,
                  uint32_t nrows, row_fn fill, double *x)
{
    uint64_t n = p->reps;
    heading(first, cols, ncols, n > 1);
    for (uint32_t i = 0; i < nrows; i++) {
        const char *name = "";
        for (uint64_t r = 0; r < n; r++) {
            double v[MAX_COLS];
            name = fill(p->slots[r].engine, i, v);
            for (size_t k = 0; k < ncols; k++)
                x[k * n + r] = v[k];
        }
        printf("%-14.14s", name);
        for (size_t k = 0; k < ncols; k++)
            cell(x + k * n, n, &cols[k], n > 1);
        printf("\n");
    }
}

static void summary(const options *o, const rep_pool *p, const char *dir)
{
    const sim_engine *e0 = p->slots[0].engine;
    uint64_t n = p->reps;
    double *x = calloc(n * MAX_COLS, sizeof *x);
    if (!x)
        return;
    printf("%s: %" PRIu64 " replication%s, seed %" PRIu64 "%s\n\n", o->scenario, n,
           n > 1 ? "s" : "", p->seed, n > 1 ? " (mean ±95% CI half-width)" : "");
    table(p, "flow", flow_cols, NCOLS(flow_cols), sim_results_nflows(e0), flow_row, x);
    printf("\n");
    table(p, "service", service_cols, NCOLS(service_cols), sim_results_nservices(e0),
          service_row, x);
    printf("\nresults in %s/ (flows.csv services.csv timeseries.csv latency.csv run.json)\n",
           dir);
    free(x);
}

/* ---- commands ----------------------------------------------------------------------- */

static void default_out(const char *scenario, char *dir, size_t n)
{
    const char *base = strrchr(scenario, '/');
    base = base ? base + 1 : scenario;
    size_t len = strlen(base);
    if (len > 4 && !strcmp(base + len - 4, ".lua"))
        len -= 4;
    snprintf(dir, n, "out/%.*s", (int)len, base);
}

static int cmd_check(const options *o)
{
    dessa_scenario *sc = load(o);
    if (!sc)
        return EXIT_MODEL;
    sim_engine *e = NULL;
    char err[1024];
    int rc = dessa_scenario_build(sc, o->seed, 0, &e, err, sizeof err);
    if (rc != SIM_OK)
        fprintf(stderr, "%s\n", err);
    else
        printf("%s: ok\n", o->scenario);
    sim_engine_free(e);
    dessa_scenario_free(sc);
    return rc == SIM_OK ? 0 : EXIT_MODEL;
}

static int cmd_run(options *o)
{
    double t0 = wall_clock();
    dessa_scenario *sc = load(o);
    if (!sc)
        return EXIT_MODEL;
    sim_config cfg;
    int scenario_seed;
    uint64_t seed = 1;
    dessa_scenario_run_config(sc, &cfg, &scenario_seed);
    if (o->has_seed)
        seed = o->seed;
    else if (scenario_seed)
        seed = cfg.seed;
    cfg.seed = seed;

    rep_pool p = { sc, seed, o->reps, 0, calloc(o->reps, sizeof(rep_slot)), { { 0 } } };
    int status = EXIT_MODEL;
    char dir[4096];
    if (!p.slots) {
        fprintf(stderr, "error: out of memory\n");
        goto done;
    }
    if (run_reps(&p, o->jobs) != 0)
        goto done;
    if (o->out)
        snprintf(dir, sizeof dir, "%s", o->out);
    else
        default_out(o->scenario, dir, sizeof dir);
    sim_results res;
    int rc = sim_results_open(&res, dir);
    for (uint64_t r = 0; rc == SIM_OK && r < p.reps; r++)
        rc = sim_results_add(&res, p.slots[r].engine, r);
    char *json = rc == SIM_OK ? run_json(o, sc, &cfg, &p, wall_clock() - t0) : NULL;
    if (rc == SIM_OK && json)
        rc = sim_results_commit(&res, json);
    else
        sim_results_abort(&res);
    free(json);
    if (rc != SIM_OK || !json) {
        fprintf(stderr, "error: cannot write the results in '%s': %s\n", dir,
                sim_strerror(rc != SIM_OK ? rc : SIM_ENOMEM));
        goto done;
    }
    if (!o->quiet)
        summary(o, &p, dir);
    status = 0;
done:
    for (uint64_t r = 0; p.slots && r < p.reps; r++)
        sim_engine_free(p.slots[r].engine);
    free(p.slots);
    dessa_scenario_free(sc);
    return status;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error("%s", "no command given");
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        fputs(usage, stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("dessa %s\n", DESSA_VERSION);
        return 0;
    }
    if (strcmp(argv[1], "run") && strcmp(argv[1], "check"))
        return usage_error("unknown command '%s'", argv[1]);
    options o;
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    return !strcmp(o.cmd, "run") ? cmd_run(&o) : cmd_check(&o);
}
