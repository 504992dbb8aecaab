/* test_validation: statistical validation of the engine against queueing theory.
 *
 * Each case loads a scenario from tests/validation/, runs R independent replications of it
 * (same seed, rep = 0..R-1, statistics after the warm-up only), takes one figure per
 * replication (a mean response time, a quantile, a blocking ratio, ...), and forms a Student
 * t confidence interval for its mean across the replications. The case passes when the value
 * predicted by theory lies inside that interval, widened where stated by a small relative
 * tolerance for the known histogram error of quantiles (SIM_HIST_REL_ERROR = 2^-8, ~0.39%).
 *
 * The predictions are computed here, from the model's parameters, with the textbook formulas
 * (M/M/1, Erlang B and C, the M/M/c/K birth-death chain, Pollaczek-Khinchine, Jackson
 * networks, exact Mean Value Analysis); the parameters are also what the test passes to the
 * scenario as param overrides, so the scenario files cannot drift away from the theory.
 *
 * The scenarios are found under the project root: $DESSA_ROOT if set, otherwise the first
 * directory holding tests/validation/ on the way up from the working directory (a build tree
 * outside the sources is recognised by its CMakeCache.txt, which names the source directory).
 *
 * Environment (all optional):
 *   DESSA_ROOT             the project root
 *   DESSA_VALIDATION_CSV   also write one row per check to this CSV file
 *   DESSA_VALIDATION_SEED  base seed S (default 1); case k (1-based) runs with seed 1000 S + k.
 *                          The verdicts quoted in docs/validation.md are for the default
 *   DESSA_VALIDATION_SCALE multiply every statistics window (the run after the warm-up) by
 *                          this factor (default 1): < 1 for a quick look, > 1 for tighter
 *                          intervals
 *   DESSA_VALIDATION_JUDGE 0: print the verdicts but do not fail on them. The sanitizer build
 *                          runs the cases so (with a scale of 0.1, tests/CMakeLists.txt): there
 *                          it looks for memory and undefined-behaviour errors on every model,
 *                          while the statistics are judged on the Release build
 *
 * See docs/validation.md for the method and the figures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "binding.h"
#include "core/error.h"
#include "model/model.h"
#include "out/results.h"
#include "stats/ci.h"
#include "stats/hist.h"
#include "stats/tally.h"
#include "validation_env.h"

#define LEVEL 0.99            /* confidence level of every interval */
#define REPS 20               /* replications per case */
#define QTOL SIM_HIST_REL_ERROR /* relative tolerance added for histogram quantiles */

/* ---- theory --------------------------------------------------------------------------- */

/* Erlang B: blocking probability of M/G/c/c with offered load a = lambda E[S], by the stable
 * recursion B(0) = 1, B(k) = a B(k-1) / (k + a B(k-1)). */
static double erlang_b(int c, double a)
{
    double b = 1.0;
    for (int k = 1; k <= c; k++)
        b = a * b / (k + a * b);
    return b;
}

/* Erlang C: probability that an arrival waits in M/M/c (a < c). */
static double erlang_c(int c, double a)
{
    double b = erlang_b(c, a);
    return c * b / (c - a * (1.0 - b));
}

/* M/M/c/K (K = c + queue places in the system): the stationary distribution of the birth-
 * death chain, p_n proportional to a^n / n! for n <= c and a^c / c! (a/c)^(n-c) above.
 * Stores P(N = K) (= the blocking probability, by PASTA) and E[N]. */
static void mmck(int c, int k, double a, double *p_block, double *mean_n)
{
    double term = 1.0, sum = 0.0, sum_n = 0.0;
    for (int n = 0; n <= k; n++) {
        if (n > 0)
            term *= a / (n <= c ? n : c);
        sum += term;
        sum_n += n * term;
    }
    *p_block = term / sum;
    *mean_n = sum_n / sum;
}

/* P(T > t) for T a sum of independent exponentials with distinct rates r[0..n):
 * sum_i e^{-r_i t} prod_{j != i} r_j / (r_j - r_i). */
static double hypoexp_tail(const double *r, int n, double t)
{
    double s = 0.0;
    for (int i = 0; i < n; i++) {
        double w = 1.0;
        for (int j = 0; j < n; j++)
            if (j != i)
                w *= r[j] / (r[j] - r[i]);
        s += w * exp(-r[i] * t);
    }
    return s;
}

/* The q-quantile of that sum, by bisection on the (decreasing) tail. */
static double hypoexp_quantile(const double *r, int n, double q)
{
    double lo = 0.0, hi = 1.0;
    while (hypoexp_tail(r, n, hi) > 1.0 - q)
        hi *= 2.0;
    for (int it = 0; it < 200; it++) {
        double mid = 0.5 * (lo + hi);
        if (hypoexp_tail(r, n, mid) > 1.0 - q)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

/* E_k/M/1 (GI/M/1 with Erlang-k interarrival times of rate lambda, exponential service of
 * rate mu): sigma is the root in (0, 1) of sigma = A*(mu (1 - sigma)), where A*(s) =
 * (k lambda / (k lambda + s))^k is the interarrival Laplace transform; found by fixed-point
 * iteration (a contraction for lambda < mu). The response time is Exp(mu (1 - sigma)). */
static double ekm1_sigma(int k, double lambda, double mu)
{
    double sigma = 0.5;
    for (int it = 0; it < 10000; it++) {
        double next = pow(k * lambda / (k * lambda + mu * (1.0 - sigma)), k);
        if (fabs(next - sigma) < 1e-15)
            return next;
        sigma = next;
    }
    return sigma;
}

/* Cobham: mean wait of class p (0 = highest priority) in a non-preemptive priority M/G/1,
 * W_p = W0 / ((1 - s_{p-1})(1 - s_p)), W0 = sum_i lambda_i E[S_i^2] / 2, s_p = the load of
 * classes 0..p. */
static double cobham_wait(int p, const double *lambda, const double *es, const double *es2,
                          int nclasses)
{
    double w0 = 0.0, above = 0.0;
    for (int i = 0; i < nclasses; i++)
        w0 += lambda[i] * es2[i] / 2.0;
    for (int i = 0; i < p; i++)
        above += lambda[i] * es[i];
    return w0 / ((1.0 - above) * (1.0 - above - lambda[p] * es[p]));
}

/* Exact MVA of a closed network: `users` customers, a delay (think) of mean z, and single-
 * server FCFS queueing stations with service demands d[0..k). Stores the throughput, the
 * response time (sum of the residence times) and each station's residence time. */
static void mva(int users, double z, const double *d, int k, double *x_out, double *r_out,
                double *res_out)
{
    double q[8] = { 0 }, res[8] = { 0 }, x = 0.0, r = 0.0;
    for (int n = 1; n <= users; n++) {
        r = 0.0;
        for (int i = 0; i < k; i++) {
            res[i] = d[i] * (1.0 + q[i]);
            r += res[i];
        }
        x = n / (z + r);
        for (int i = 0; i < k; i++)
            q[i] = x * res[i];
    }
    *x_out = x;
    *r_out = r;
    for (int i = 0; i < k; i++)
        res_out[i] = res[i];
}

/* ---- cases ---------------------------------------------------------------------------- */

typedef enum {
    M_LAT_MEAN,     /* flow: mean response time */
    M_LAT_P99,      /* flow: 99th percentile of the response time (histogram) */
    M_THROUGHPUT,   /* flow: completed requests per second */
    M_FLOW_DROP,    /* flow: dropped / sent */
    M_WAIT_MEAN,    /* service: mean time in the waiting room */
    M_WAIT_P99,     /* service: 99th percentile of that time (histogram) */
    M_UTIL,         /* service: busy workers / workers, time average */
    M_RESID_MEAN,   /* service: mean time from arrival to completion at the service */
    M_SVC_DROP,     /* service: dropped / arrivals */
    M_THR_WORKING,  /* service: threads running work on a core, time average */
    M_THR_BLOCKED,  /* service: threads held in blocking I/O or a call, time average */
} metric_kind;

static const char *const metric_names[] = {
    "latency_mean", "latency_p99", "throughput", "flow dropped/sent", "wait_mean", "wait_p99",
    "utilization", "residence_mean", "dropped/arrivals", "threads_working", "threads_blocked",
};

typedef struct check {
    metric_kind kind;
    const char *entity;   /* the flow (client) or service it is read from */
    double expected;      /* theory */
    double tol;           /* relative tolerance added to the half-width */
    const char *formula;  /* shown with the result */
} check;

/* The case table is filled before cmocka starts, where its assertions cannot be used. */
#define REQUIRE(cond)                                                                       \
    do {                                                                                    \
        if (!(cond)) {                                                                      \
            fprintf(stderr, "test_validation: %s:%d: %s\n", __FILE__, __LINE__, #cond);     \
            abort();                                                                        \
        }                                                                                   \
    } while (0)

#define MAXSETS 12
#define MAXCHECKS 8

typedef struct vcase {
    int number;           /* 1-based; the case's seed is base_seed * 1000 + number */
    const char *id;       /* the test's name */
    const char *model;    /* the queueing model, with its parameters */
    const char *file;     /* under tests/validation/ */
    double duration, warmup;
    int nsets;
    char set_name[MAXSETS][24], set_value[MAXSETS][32];
    int nchecks;
    check checks[MAXCHECKS];
} vcase;

static void set_str(vcase *c, const char *name, const char *value)
{
    REQUIRE(c->nsets < MAXSETS);
    snprintf(c->set_name[c->nsets], sizeof c->set_name[0], "%s", name);
    snprintf(c->set_value[c->nsets], sizeof c->set_value[0], "%s", value);
    c->nsets++;
}

static void set_num(vcase *c, const char *name, double v)
{
    char buf[32];
    if (v == floor(v) && fabs(v) < 1e15)
        snprintf(buf, sizeof buf, "%.0f", v);   /* integers stay Lua integers */
    else
        snprintf(buf, sizeof buf, "%.17g", v);
    set_str(c, name, buf);
}

static void add_check(vcase *c, metric_kind kind, const char *entity, double expected,
                      double tol, const char *formula)
{
    REQUIRE(c->nchecks < MAXCHECKS);
    c->checks[c->nchecks++] = (check){ kind, entity, expected, tol, formula };
}

/* ---- environment ---------------------------------------------------------------------- */

static char root[4096];
static FILE *csv;
static uint64_t base_seed = 1;
static double scale = 1.0;
static int judge = 1;   /* fail a case whose checks fall outside their intervals */

static int is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* The source directory recorded in dir/CMakeCache.txt (an out-of-tree build), into root. */
static int root_from_cache(const char *dir)
{
    char path[4200], line[4400];
    static const char key[] = "CMAKE_HOME_DIRECTORY:INTERNAL=";
    snprintf(path, sizeof path, "%s/CMakeCache.txt", dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) {
        if (strncmp(line, key, sizeof key - 1))
            continue;
        line[strcspn(line, "\r\n")] = 0;
        const char *src = line + sizeof key - 1;
        if (strlen(src) >= 4000)   /* longer than root holds: not ours to use */
            continue;
        snprintf(path, sizeof path, "%.4000s/tests/validation", src);
        if (is_dir(path)) {
            snprintf(root, sizeof root, "%.4000s", src);
            found = 1;
        }
    }
    fclose(f);
    return found;
}

/* $DESSA_ROOT, or the nearest directory holding tests/validation on the way up from the
 * working directory (or, for a build tree outside the sources, the source directory named
 * by the nearest CMakeCache.txt on the way up). */
static int find_root(void)
{
    char dir[4096], probe[4200];
    const char *env = getenv("DESSA_ROOT");
    if (env && *env) {
        snprintf(root, sizeof root, "%s", env);
        snprintf(probe, sizeof probe, "%s/tests/validation", root);
        return is_dir(probe);
    }
    if (!getcwd(dir, sizeof dir))
        return 0;
    for (;;) {
        snprintf(probe, sizeof probe, "%s/tests/validation", strcmp(dir, "/") ? dir : "");
        if (is_dir(probe)) {
            snprintf(root, sizeof root, "%s", dir);
            return 1;
        }
        if (root_from_cache(dir))
            return 1;
        char *slash = strrchr(dir, '/');
        if (!slash || !strcmp(dir, "/"))
            return 0;
        if (slash == dir)
            slash[1] = 0;   /* up to "/" */
        else
            *slash = 0;
    }
}

static int group_setup(void **state)
{
    (void)state;
    if (!find_root()) {
        fprintf(stderr, "test_validation: cannot find tests/validation (set DESSA_ROOT to the "
                        "project root)\n");
        return -1;
    }
    const char *s = getenv("DESSA_VALIDATION_SEED");
    if (s && *s)
        base_seed = strtoull(s, NULL, 10);
    scale = validation_scale();
    judge = validation_judge();
    s = getenv("DESSA_VALIDATION_CSV");
    if (s && *s) {
        csv = fopen(s, "w");
        if (!csv) {
            fprintf(stderr, "test_validation: cannot write %s: %s\n", s, strerror(errno));
            return -1;
        }
        fprintf(csv, "case,model,metric,entity,formula,expected,mean,half_width,level,"
                     "tolerance,reps,duration,warmup,seed,deviation_pct,verdict\n");
    }
    printf("validation: root %s, base seed %llu, %d replications per case, %.0f%% t intervals\n",
           root, (unsigned long long)base_seed, REPS, LEVEL * 100);
    printf("%-14s %-20s %-17s %12s %12s %11s %8s  %s\n", "case", "entity", "metric", "expected",
           "sim mean", "half-width", "dev %", "verdict");
    fflush(stdout);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    if (csv && fclose(csv) != 0)
        fprintf(stderr, "test_validation: error writing the CSV file\n");
    csv = NULL;
    return 0;
}

/* ---- running a case ------------------------------------------------------------------- */

static int find_flow(const sim_engine *e, const char *name)
{
    sim_flow_summary f;
    for (uint32_t i = 0; i < sim_results_nflows(e); i++) {
        sim_results_flow(e, i, &f);
        if (!strcmp(f.name, name))
            return (int)i;
    }
    return -1;
}

static int find_service(const sim_engine *e, const char *name)
{
    sim_service_summary s;
    for (uint32_t i = 0; i < sim_results_nservices(e); i++) {
        sim_results_service(e, i, &s);
        if (!strcmp(s.name, name))
            return (int)i;
    }
    return -1;
}

static double measure(const sim_engine *e, const check *k)
{
    if (k->kind <= M_FLOW_DROP) {
        int i = find_flow(e, k->entity);
        if (i < 0)
            fail_msg("no flow named '%s'", k->entity);
        sim_flow_summary f;
        sim_results_flow(e, (uint32_t)i, &f);
        switch (k->kind) {
        case M_LAT_MEAN: return f.latency_mean;
        case M_LAT_P99: return f.latency_p99;
        case M_THROUGHPUT: return f.throughput;
        default: return f.dropped / f.sent;
        }
    }
    int i = find_service(e, k->entity);
    if (i < 0)
        fail_msg("no service named '%s'", k->entity);
    sim_service_summary s;
    sim_results_service(e, (uint32_t)i, &s);
    switch (k->kind) {
    case M_WAIT_MEAN: return s.wait_mean;
    case M_WAIT_P99: return s.wait_p99;
    case M_UTIL: return s.utilization;
    case M_RESID_MEAN: return s.residence_mean;
    case M_THR_WORKING: return s.threads_working;
    case M_THR_BLOCKED: return s.threads_blocked;
    default: return s.dropped / s.arrivals;
    }
}

static void csv_text(const char *s)
{
    fputc('"', csv);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', csv);
        fputc(*s, csv);
    }
    fputc('"', csv);
}

static void run_case(void **state)
{
    vcase *c = *state;
    char path[4400], err[1024];
    snprintf(path, sizeof path, "%s/tests/validation/%s", root, c->file);

    /* the scale stretches the statistics window, never the warm-up */
    double duration = c->warmup + (c->duration - c->warmup) * scale;
    set_num(c, "duration", duration);
    set_num(c, "warmup", c->warmup);
    dessa_override ov[MAXSETS];
    for (int i = 0; i < c->nsets; i++)
        ov[i] = (dessa_override){ c->set_name[i], c->set_value[i] };
    /* each case its own seed, so that cases sharing stream names (every "arrivals" client)
     * do not share their random numbers and the verdicts are independent */
    const uint64_t seed = base_seed * 1000 + (uint64_t)c->number;
    dessa_load_opts lo = { .overrides = ov, .noverrides = (size_t)c->nsets, .seed = seed, .has_seed = 1 };
    dessa_scenario *sc = dessa_scenario_load(path, &lo, err, sizeof err);
    if (!sc)
        fail_msg("%s", err);

    /* the scenario must run what the test computed the theory for */
    sim_config cfg;
    int has_seed;
    dessa_scenario_run_config(sc, &cfg, &has_seed);
    assert_true(fabs(cfg.duration - duration) <= 1e-9 * duration);
    assert_true(fabs(cfg.warmup - c->warmup) <= 1e-9 * (c->warmup + 1));

    sim_tally t[MAXCHECKS];
    for (int k = 0; k < c->nchecks; k++)
        sim_tally_reset(&t[k]);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (uint64_t rep = 0; rep < REPS; rep++) {
        sim_engine *e = NULL;
        if (dessa_scenario_build(sc, seed, rep, &e, err, sizeof err) != SIM_OK)
            fail_msg("%s: %s", c->file, err);
        if (sim_engine_run(e) != SIM_OK)
            fail_msg("%s: replication %llu: %s", c->file, (unsigned long long)rep,
                     sim_engine_error(e));
        for (int k = 0; k < c->nchecks; k++) {
            double v = measure(e, &c->checks[k]);
            if (!isfinite(v))
                fail_msg("%s: replication %llu: %s of %s is not a number", c->id,
                         (unsigned long long)rep, metric_names[c->checks[k].kind],
                         c->checks[k].entity);
            sim_tally_add(&t[k], v);
        }
        sim_engine_free(e);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    dessa_scenario_free(sc);

    printf("%s: %s (%s; seed %llu; %d reps x %g s after a %g s warm-up; %.2f s wall)\n", c->id,
           c->model, c->file, (unsigned long long)seed, REPS, duration - c->warmup, c->warmup,
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    int failures = 0;
    for (int k = 0; k < c->nchecks; k++) {
        const check *ck = &c->checks[k];
        double mean = sim_tally_mean(&t[k]);
        double hw = sim_ci_t_halfwidth(&t[k], LEVEL);
        double slack = hw + ck->tol * fabs(ck->expected);
        int ok = fabs(mean - ck->expected) <= slack;
        double dev = 100.0 * (mean - ck->expected) / ck->expected;
        failures += !ok;
        printf("%-14s %-20s %-17s %12.6g %12.6g %11.3g %+8.3f  %s%s\n", c->id, ck->entity,
               metric_names[ck->kind], ck->expected, mean, hw, dev, ok ? "PASS" : "FAIL",
               ck->tol > 0 ? " (+hist tol)" : "");
        if (csv) {
            csv_text(c->id);
            fputc(',', csv);
            csv_text(c->model);
            fputc(',', csv);
            csv_text(metric_names[ck->kind]);
            fputc(',', csv);
            csv_text(ck->entity);
            fputc(',', csv);
            csv_text(ck->formula);
            fprintf(csv, ",%.10g,%.10g,%.6g,%g,%g,%d,%g,%g,%llu,%.4f,%s\n", ck->expected, mean,
                    hw, LEVEL, ck->tol, REPS, duration, c->warmup,
                    (unsigned long long)seed, dev, ok ? "PASS" : "FAIL");
        }
    }
    fflush(stdout);
    if (csv)
        fflush(csv);
    if (failures && !judge)
        printf("%s: %d of %d checks outside the %.0f%% interval, not judged here "
               "(DESSA_VALIDATION_JUDGE=0)\n", c->id, failures, c->nchecks, LEVEL * 100);
    else if (failures)
        fail_msg("%s: %d of %d checks outside the %.0f%% interval", c->id, failures, c->nchecks,
                 LEVEL * 100);
}

/* ---- the cases ------------------------------------------------------------------------ */

#define NCASES 24
static vcase cases[NCASES];

static vcase *new_case(int *n, const char *id, const char *model, const char *file,
                       double duration, double warmup)
{
    REQUIRE(*n < NCASES);
    vcase *c = &cases[(*n)++];
    memset(c, 0, sizeof *c);
    c->number = *n;
    c->id = id;
    c->model = model;
    c->file = file;
    c->duration = duration;
    c->warmup = warmup;
    return c;
}

/* M/M/1 at load rho (mu = 1): response time is Exp(mu - lambda). */
static void case_mm1(int *n, const char *id, const char *model, double rho, const char *disc,
                     double duration, int tails)
{
    const double mu = 1.0, lambda = rho * mu;
    vcase *c = new_case(n, id, model, "mm1.lua", duration, 5000);
    set_num(c, "rate", lambda);
    set_num(c, "mean", 1.0 / mu);
    set_str(c, "discipline", disc);
    add_check(c, M_LAT_MEAN, "arrivals", 1.0 / (mu - lambda), 0, "1/(mu-lambda)");
    if (tails) {
        add_check(c, M_LAT_P99, "arrivals", -log(0.01) / (mu - lambda), QTOL,
                  "-ln(0.01)/(mu-lambda)");
        add_check(c, M_WAIT_MEAN, "server", rho / (mu - lambda), 0, "rho/(mu-lambda)");
        add_check(c, M_UTIL, "server", rho, 0, "lambda/mu");
    }
}

/* M/G/1 with service mean 1 and second moment es2 (Pollaczek-Khinchine). */
static vcase *case_mg1(int *n, const char *id, const char *model, const char *law,
                       double rho, double es2, double duration)
{
    const double mean = 1.0, lambda = rho / mean;
    vcase *c = new_case(n, id, model, "mg1.lua", duration, 5000);
    set_str(c, "law", law);
    set_num(c, "rate", lambda);
    set_num(c, "mean", mean);
    double wq = lambda * es2 / (2.0 * (1.0 - rho));
    add_check(c, M_WAIT_MEAN, "server", wq, 0, "lambda E[S^2]/(2(1-rho))");
    add_check(c, M_LAT_MEAN, "arrivals", wq + mean, 0, "W_q + E[S]");
    return c;
}

static void build_cases(int *n)
{
    /* M/M/1 */
    case_mm1(n, "mm1_rho0.9", "M/M/1, lambda=0.9, mu=1 (rho=0.9), FIFO", 0.9, "fifo", 500000, 1);
    case_mm1(n, "mm1_rho0.8", "M/M/1, lambda=0.8, mu=1 (rho=0.8), FIFO", 0.8, "fifo", 200000, 1);
    /* the mean of a non-preemptive, size-blind discipline is that of FIFO */
    case_mm1(n, "mm1_lifo", "M/M/1, lambda=0.8, mu=1 (rho=0.8), LIFO (non-preemptive)", 0.8,
             "lifo", 200000, 0);

    /* M/M/1 with two non-preemptive priority classes: Cobham */
    {
        const double lam[2] = { 0.3, 0.5 }, es[2] = { 1, 1 }, es2[2] = { 2, 2 };
        vcase *c = new_case(n, "prio2", "M/M/1, 2 classes, non-preemptive priority, lambda_high="
                            "0.3, lambda_low=0.5, mu=1", "priority.lua", 200000, 5000);
        set_num(c, "rate_high", lam[0]);
        set_num(c, "rate_low", lam[1]);
        set_num(c, "mean", es[0]);
        add_check(c, M_LAT_MEAN, "high", cobham_wait(0, lam, es, es2, 2) + es[0], 0,
                  "W0/(1-rho_h) + E[S]");
        add_check(c, M_LAT_MEAN, "low", cobham_wait(1, lam, es, es2, 2) + es[1], 0,
                  "W0/((1-rho_h)(1-rho)) + E[S]");
        add_check(c, M_WAIT_MEAN, "server",
                  (lam[0] * cobham_wait(0, lam, es, es2, 2) +
                   lam[1] * cobham_wait(1, lam, es, es2, 2)) / (lam[0] + lam[1]), 0,
                  "rate-weighted class waits");
    }

    /* M/M/c: Erlang C */
    {
        const int k = 3;
        const double mu = 1.0, lambda = 2.4, a = lambda / mu;
        vcase *c = new_case(n, "mmc_c3", "M/M/3, lambda=2.4, mu=1 (rho=0.8)", "mmc.lua", 100000,
                            2000);
        set_num(c, "c", k);
        set_num(c, "rate", lambda);
        set_num(c, "mean", 1.0 / mu);
        double pw = erlang_c(k, a), gap = k * mu - lambda;
        add_check(c, M_WAIT_MEAN, "pool", pw / gap, 0, "C(c,a)/(c mu-lambda)");
        /* P(W_q > t) = C(c,a) e^{-(c mu - lambda) t}, so p99 = ln(100 C)/(c mu - lambda) */
        add_check(c, M_WAIT_P99, "pool", log(pw / 0.01) / gap, QTOL,
                  "ln(C(c,a)/0.01)/(c mu-lambda)");
        add_check(c, M_LAT_MEAN, "arrivals", pw / gap + 1.0 / mu, 0, "W_q + 1/mu");
        add_check(c, M_UTIL, "pool", a / k, 0, "lambda/(c mu)");
    }

    /* M/G/1: Pollaczek-Khinchine, E[S] = 1 */
    case_mg1(n, "md1", "M/D/1, lambda=0.8, S=1", "const", 0.8, 1.0, 100000);
    case_mg1(n, "mu1", "M/U/1, lambda=0.8, S~U(0,2)", "uniform", 0.8, 4.0 / 3.0, 100000);
    {
        vcase *c = case_mg1(n, "me4_1", "M/E4/1, lambda=0.8, S~Erlang(4, mean 1)", "erlang",
                            0.8, 1.0 + 1.0 / 4, 100000);
        set_num(c, "k", 4);
    }
    {
        vcase *c = case_mg1(n, "mh2_1", "M/H2/1, lambda=0.7, S~balanced H2 (mean 1, scv 4)",
                            "hyperexp", 0.7, 1.0 + 4.0, 500000);
        set_num(c, "scv", 4.0);
    }
    {
        vcase *c = case_mg1(n, "mln_1", "M/LN/1, lambda=0.7, S~lognormal (mean 1, sd 1.5)",
                            "lognormal", 0.7, 1.0 + 1.5 * 1.5, 300000);
        set_num(c, "sd", 1.5);
    }

    /* M/M/c/K: blocking */
    {
        const int k = 2, q = 3;
        const double lambda = 2.0, mu = 1.0;
        vcase *c = new_case(n, "mmck_2_5", "M/M/2/5 (queue=3), lambda=2, mu=1", "mmck.lua", 50000,
                            500);
        set_num(c, "c", k);
        set_num(c, "queue", q);
        set_num(c, "rate", lambda);
        set_num(c, "mean", 1.0 / mu);
        set_str(c, "law", "exp");
        double pk, en;
        mmck(k, k + q, lambda / mu, &pk, &en);
        add_check(c, M_SVC_DROP, "station", pk, 0, "p_K (birth-death)");
        add_check(c, M_FLOW_DROP, "arrivals", pk, 0, "p_K (birth-death)");
        add_check(c, M_THROUGHPUT, "arrivals", lambda * (1 - pk), 0, "lambda (1-p_K)");
        add_check(c, M_LAT_MEAN, "arrivals", en / (lambda * (1 - pk)), 0,
                  "E[N]/(lambda (1-p_K)) (Little)");
    }
    {
        vcase *c = new_case(n, "erlangb_5", "M/M/5/5 (queue=0), lambda=4, mu=1", "mmck.lua", 50000,
                            500);
        set_num(c, "c", 5);
        set_num(c, "queue", 0);
        set_num(c, "rate", 4.0);
        set_num(c, "mean", 1.0);
        set_str(c, "law", "exp");
        add_check(c, M_SVC_DROP, "station", erlang_b(5, 4.0), 0, "Erlang B(c,a)");
    }
    {
        vcase *c = new_case(n, "erlangb_5_ln",
                            "M/G/5/5 (queue=0), lambda=4, S~lognormal (mean 1, sd 2)",
                            "mmck.lua", 50000, 500);
        set_num(c, "c", 5);
        set_num(c, "queue", 0);
        set_num(c, "rate", 4.0);
        set_num(c, "mean", 1.0);
        set_str(c, "law", "lognormal");
        set_num(c, "sd", 2.0);
        add_check(c, M_SVC_DROP, "station", erlang_b(5, 4.0), 0, "Erlang B(c,a), insensitive");
    }

    /* load balancing over two single-worker replicas */
    {
        const double lambda = 1.6, mu = 1.0;
        vcase *c = new_case(n, "lb_random", "2 replicas x M/M/1, random balancer, lambda=1.6, "
                            "mu=1", "replicas.lua", 100000, 2000);
        set_num(c, "replicas", 2);
        set_str(c, "balancer", "random");
        set_num(c, "rate", lambda);
        set_num(c, "mean", 1.0 / mu);
        add_check(c, M_LAT_MEAN, "arrivals", 1.0 / (mu - lambda / 2), 0,
                  "1/(mu-lambda/2) (Poisson thinning)");
        add_check(c, M_UTIL, "farm", lambda / (2 * mu), 0, "lambda/(2 mu)");
    }
    {
        const double lambda = 1.6, mu = 1.0;
        vcase *c = new_case(n, "lb_rr", "2 replicas, round robin, lambda=1.6, mu=1 "
                            "(each an E2/M/1)", "replicas.lua", 100000, 2000);
        set_num(c, "replicas", 2);
        set_str(c, "balancer", "round_robin");
        set_num(c, "rate", lambda);
        set_num(c, "mean", 1.0 / mu);
        double sigma = ekm1_sigma(2, lambda / 2, mu), r = mu * (1 - sigma);
        add_check(c, M_LAT_MEAN, "arrivals", 1.0 / r, 0, "1/(mu(1-sigma)), GI/M/1");
        add_check(c, M_LAT_P99, "arrivals", -log(0.01) / r, QTOL, "-ln(0.01)/(mu(1-sigma))");
    }

    /* Jackson tandem of three M/M/1 stations */
    {
        const double lambda = 0.8, mu[3] = { 2.0, 1.0, 1.25 };
        vcase *c = new_case(n, "tandem3", "tandem M/M/1 x3, lambda=0.8, mu=2,1,1.25",
                            "tandem.lua", 200000, 2000);
        set_num(c, "rate", lambda);
        set_num(c, "mean_a", 1.0 / mu[0]);
        set_num(c, "mean_b", 1.0 / mu[1]);
        set_num(c, "mean_c", 1.0 / mu[2]);
        double r[3], total = 0;
        for (int i = 0; i < 3; i++) {
            r[i] = mu[i] - lambda;
            total += 1.0 / r[i];
        }
        add_check(c, M_LAT_MEAN, "arrivals", total, 0, "sum 1/(mu_i-lambda)");
        add_check(c, M_LAT_P99, "arrivals", hypoexp_quantile(r, 3, 0.99), QTOL,
                  "p99 of hypoexp(mu_i-lambda)");
        add_check(c, M_RESID_MEAN, "a", 1.0 / r[0], 0, "1/(mu_a-lambda)");
        add_check(c, M_RESID_MEAN, "b", 1.0 / r[1], 0, "1/(mu_b-lambda)");
        add_check(c, M_RESID_MEAN, "c", 1.0 / r[2], 0, "1/(mu_c-lambda)");
    }

    /* M/G/1-PS: the mean response S/(1-rho) does not depend on the law of the work */
    {
        static const char *const laws[] = { "const", "hyperexp" };
        static const char *const ids[] = { "mg1ps_const", "mg1ps_hyperexp" };
        static const char *const models[] = {
            "M/D/1-PS (discipline ps), lambda=0.5, S=1",
            "M/H2/1-PS (discipline ps, scv=4), lambda=0.5, S=1" };
        for (int i = 0; i < 2; i++) {
            const double lambda = 0.5, es = 1.0;
            vcase *c = new_case(n, ids[i], models[i], "ps.lua", 100000, 1000);
            set_str(c, "law", laws[i]);
            set_num(c, "rate", lambda);
            set_num(c, "mean", es);
            add_check(c, M_LAT_MEAN, "arrivals", es / (1 - lambda * es), 0, "S/(1-rho)");
        }
    }

    /* 100 threads on 2 cores, exp(1) work: the number in system is that of M/M/2, whether
     * the cores are FCFS or shared (PS) */
    {
        static const char *const cpus[] = { "fcfs", "ps" };
        static const char *const ids[] = { "cores2_fcfs", "cores2_ps" };
        static const char *const models[] = {
            "100 threads, 2 FCFS cores, lambda=1.6, exp(1) work (M/M/2)",
            "100 threads, 2 PS cores, lambda=1.6, exp(1) work (M/M/2 mean)" };
        for (int i = 0; i < 2; i++) {
            const int k = 2;
            const double mu = 1.0, lambda = 1.6, a = lambda / mu;
            vcase *c = new_case(n, ids[i], models[i], "cores.lua", 100000, 2000);
            set_num(c, "workers", 100);
            set_num(c, "cores", k);
            set_str(c, "cpu", cpus[i]);
            set_num(c, "rate", lambda);
            set_num(c, "mean", 1.0 / mu);
            add_check(c, M_LAT_MEAN, "arrivals", 1.0 / mu + erlang_c(k, a) / (k * mu - lambda),
                      0, "1/mu + C(2,a)/(2mu-lambda)");
        }
    }

    /* Little's law for a synchronous pool: work exp(0.01) on a core, then a call to an infinite
     * server doing blocking I/O of 0.05 s */
    {
        const double lambda = 100, w = 0.01, io = 0.05;
        vcase *c = new_case(n, "pool_little", "infinite pool, lambda=100, work exp(0.01), "
                            "call db (io 0.05, infinite server)", "pool.lua", 2000, 50);
        set_num(c, "rate", lambda);
        set_num(c, "work", w);
        set_num(c, "io", io);
        add_check(c, M_THR_WORKING, "app", lambda * w, 0, "lambda E[work]");
        add_check(c, M_THR_BLOCKED, "app", lambda * io, 0, "lambda E[io]");
        add_check(c, M_THR_BLOCKED, "db", lambda * io, 0, "lambda E[io]");
        add_check(c, M_LAT_MEAN, "arrivals", w + io, 0, "E[work] + E[io]");
    }

    /* closed networks: exact MVA */
    {
        const int users = 10;
        const double z = 5.0, d[1] = { 0.5 };
        vcase *c = new_case(n, "closed1", "closed, N=10, Z=5 (exp), one M/M/1 station S=0.5",
                            "closed.lua", 100000, 1000);
        set_num(c, "users", users);
        set_num(c, "think", z);
        set_num(c, "stations", 1);
        set_num(c, "mean1", d[0]);
        double x, r, res[1];
        mva(users, z, d, 1, &x, &r, res);
        add_check(c, M_THROUGHPUT, "users", x, 0, "MVA X(N)");
        add_check(c, M_LAT_MEAN, "users", r, 0, "MVA R(N)");
        add_check(c, M_UTIL, "s1", x * d[0], 0, "X(N) D_1");
    }
    {
        const int users = 20;
        const double z = 4.0, d[2] = { 0.2, 0.15 };
        vcase *c = new_case(n, "closed2",
                            "closed, N=20, Z=4 (exp), two M/M/1 stations in series S=0.2, 0.15",
                            "closed.lua", 50000, 1000);
        set_num(c, "users", users);
        set_num(c, "think", z);
        set_num(c, "stations", 2);
        set_num(c, "mean1", d[0]);
        set_num(c, "mean2", d[1]);
        double x, r, res[2];
        mva(users, z, d, 2, &x, &r, res);
        add_check(c, M_THROUGHPUT, "users", x, 0, "MVA X(N)");
        add_check(c, M_LAT_MEAN, "users", r, 0, "MVA R(N)");
        add_check(c, M_RESID_MEAN, "s1", res[0], 0, "MVA R_1(N)");
        add_check(c, M_RESID_MEAN, "s2", res[1], 0, "MVA R_2(N)");
    }
}

/* ---- self-checks of the theory -------------------------------------------------------- */

/* The formulas above against values worked out by hand, so that a wrong prediction cannot
 * hide a wrong engine (or the reverse). */
static void test_theory(void **state)
{
    (void)state;
    /* Erlang B(5, 4) = (4^5/5!) / sum_{k<=5} 4^k/k! = 8.5333 / 42.8667 */
    assert_true(fabs(erlang_b(5, 4.0) - (1024.0 / 120) / (1 + 4 + 8 + 64.0 / 6 + 256.0 / 24 +
                                                         1024.0 / 120)) < 1e-12);
    /* Erlang C(1, rho) = rho (M/M/1), C(2, 1) = 1/3 */
    assert_true(fabs(erlang_c(1, 0.8) - 0.8) < 1e-12);
    assert_true(fabs(erlang_c(2, 1.0) - 1.0 / 3) < 1e-12);
    /* M/M/2/5 with a = 2: p = (1, 2, 2, 2, 2, 2)/11 */
    double pk, en;
    mmck(2, 5, 2.0, &pk, &en);
    assert_true(fabs(pk - 2.0 / 11) < 1e-12);
    assert_true(fabs(en - 30.0 / 11) < 1e-12);
    /* one exponential: p99 = ln(100)/r; two: the tail at the quantile is 1% */
    double r1 = 0.5, r2[2] = { 1.0, 3.0 };
    assert_true(fabs(hypoexp_quantile(&r1, 1, 0.99) - log(100.0) / 0.5) < 1e-9);
    double q2 = hypoexp_quantile(r2, 2, 0.99);
    assert_true(fabs(1.5 * exp(-q2) - 0.5 * exp(-3 * q2) - 0.01) < 1e-12);
    /* E_1/M/1 is M/M/1: sigma = rho; E_2/M/1, lambda = 0.8, mu = 1: sigma solves
     * sigma (2.6 - sigma)^2 = 2.56, i.e. (sigma - 1)(sigma^2 - 4.2 sigma + 2.56) = 0 */
    assert_true(fabs(ekm1_sigma(1, 0.8, 1.0) - 0.8) < 1e-12);
    assert_true(fabs(ekm1_sigma(2, 0.8, 1.0) - (4.2 - sqrt(4.2 * 4.2 - 4 * 2.56)) / 2) < 1e-12);
    /* one class: Pollaczek-Khinchine; two exponential classes of mean 1: W0 / ... */
    double lam[2] = { 0.3, 0.5 }, es[2] = { 1, 1 }, es2[2] = { 2, 2 };
    assert_true(fabs(cobham_wait(0, lam, es, es2, 1) - 0.3 / 0.7) < 1e-12);
    assert_true(fabs(cobham_wait(1, lam, es, es2, 2) - 0.8 / (0.7 * 0.2)) < 1e-12);
    /* MVA, one user: R = D, X = 1/(Z + D); one station, N users, Z = 0: X -> 1/D */
    double x, r, res[2], d[2] = { 0.5, 0.25 };
    mva(1, 2.0, d, 2, &x, &r, res);
    assert_true(fabs(r - 0.75) < 1e-12 && fabs(x - 1 / 2.75) < 1e-12);
    mva(50, 0.0, d, 1, &x, &r, res);
    assert_true(fabs(x - 2.0) < 1e-12 && fabs(r - 25.0) < 1e-9);
}

int main(void)
{
    int n = 0;
    build_cases(&n);
    struct CMUnitTest tests[NCASES + 1];
    tests[0] = (struct CMUnitTest)cmocka_unit_test(test_theory);
    for (int i = 0; i < n; i++)
        tests[i + 1] = (struct CMUnitTest){ cases[i].id, run_case, NULL, NULL, &cases[i] };
    return _cmocka_run_group_tests("validation", tests, (size_t)n + 1, group_setup,
                                   group_teardown);
}
