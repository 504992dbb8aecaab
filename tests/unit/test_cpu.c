/* Threads and cores against independent answers: processor sharing is insensitive to the law of
 * the work (M/G/1-PS), an infinite server is a pure delay (M/M/inf), threads on fewer cores are an
 * M/M/c (Erlang C), and in a synchronous pool the threads blocked and working obey Little's law.
 * Each check: 20 replications, a 99% Student t interval that must hold the exact value.
 * DESSA_VALIDATION_SCALE and DESSA_VALIDATION_JUDGE=0 work as in test_validation (the sanitizer
 * build runs the models with a tenth of the window and prints the verdicts without judging). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/dist.h"
#include "core/error.h"
#include "model/internal.h"
#include "model/model.h"
#include "stats/ci.h"
#include "validation_env.h"

#define OK(x) assert_int_equal((x), SIM_OK)
#define REPS 20

typedef struct measure {
    double response, busy, working, blocked, cores;
} measure;

typedef sim_engine *(*build_fn)(uint64_t rep, const void *arg);

static double scale = 1.0;
static int judge = 1;

static sim_engine *engine(uint64_t rep, double duration, double warmup)
{
    duration = warmup + (duration - warmup) * scale;   /* the window scaled, not the warm-up */
    sim_config cfg = { .seed = 11, .rep = rep, .duration = duration, .warmup = warmup,
                       .sample = duration / 4 };
    sim_engine *e = sim_engine_new(&cfg);
    assert_non_null(e);
    return e;
}

/* Runs REPS replications and checks that the 99% interval of field `f` holds `want`. */
static void check(build_fn build, const void *arg, size_t off, double want, const char *what)
{
    sim_tally t;
    sim_tally_reset(&t);
    for (uint64_t r = 0; r < REPS; r++) {
        sim_engine *e = build(r, arg);
        int rc = sim_engine_run(e);
        if (rc != SIM_OK)
            fail_msg("%s: run failed: %s", what, sim_engine_error(e));
        const sim_service *s = &e->svcs[e->nsvcs - 1];   /* the service under test: the last */
        const sim_client *c = &e->clients[0];
        double end = e->cfg.duration;
        measure m = {
            .response = c->lat_hist.sum / (double)c->lat_hist.count,
            .busy = sim_tw_mean(&s->tw_busy, end),
            .working = sim_tw_mean(&s->tw_working, end),
            .blocked = sim_tw_mean(&s->tw_busy, end) - sim_tw_mean(&s->tw_working, end),
            .cores = sim_service_cpu_mean(s, end),
        };
        sim_tally_add(&t, *(const double *)((const char *)&m + off));
        sim_engine_free(e);
    }
    double half = sim_ci_t_halfwidth(&t, 0.99);
    print_message("%-44s %.4f ± %.4f (exact %.4f)\n", what, t.mean, half, want);
    if (judge && fabs(t.mean - want) > half)
        fail_msg("%s: %.5f ± %.5f does not hold %.5f", what, t.mean, half, want);
}

#define FIELD(f) offsetof(measure, f)

/* ---- M/G/1-PS ---------------------------------------------------------------------- */

typedef struct ps_case { int law; } ps_case;

/* One PS server (one core shared by every request), Poisson 0.5/s, work of mean 1 s: the mean
 * response is S / (1 - rho) = 2 whatever the law of the work. */
static sim_engine *build_ps(uint64_t rep, const void *arg)
{
    const ps_case *pc = arg;
    sim_engine *e = engine(rep, 20000, 1000);
    sim_service_config sc = { .workers = 1, .queue = -1, .replicas = 1,
                              .discipline = SIM_DISC_PS };
    uint32_t s, ep;
    OK(sim_service_add(e, "ps", &sc, &s));
    OK(sim_endpoint_add(e, s, "e", &ep));
    sim_dist *d;
    if (pc->law == 0)
        OK(sim_dist_const(&d, 1));
    else if (pc->law == 1)
        OK(sim_dist_exp(&d, 1));
    else
        OK(sim_dist_hyperexp_balanced(&d, 1, 4));
    OK(sim_op_work(e, s, ep, d));
    OK(sim_op_return(e, s, ep));
    sim_client_config c = { .service = s, .arrivals = SIM_ARR_POISSON, .rate = 0.5 };
    OK(sim_client_add(e, "c", &c));
    return e;
}

static void test_mg1_ps_insensitive(void **state)
{
    (void)state;
    static const char *const names[] = { "M/D/1-PS response (const work)",
                                         "M/M/1-PS response (exp work)",
                                         "M/H2/1-PS response (hyperexp scv 4)" };
    for (int law = 0; law < 3; law++) {
        ps_case pc = { law };
        check(build_ps, &pc, FIELD(response), 2.0, names[law]);
        check(build_ps, &pc, FIELD(cores), 0.5, "  cores busy (lambda S)");
    }
}

/* ---- M/M/inf ----------------------------------------------------------------------- */

static sim_engine *build_inf(uint64_t rep, const void *arg)
{
    (void)arg;
    sim_engine *e = engine(rep, 5000, 100);
    sim_service_config sc = { .workers = SIM_WORKERS_INF, .queue = -1, .replicas = 1 };
    uint32_t s, ep;
    OK(sim_service_add(e, "delay", &sc, &s));
    OK(sim_endpoint_add(e, s, "e", &ep));
    sim_dist *d;
    OK(sim_dist_exp(&d, 2));
    OK(sim_op_work(e, s, ep, d));
    OK(sim_op_return(e, s, ep));
    sim_client_config c = { .service = s, .arrivals = SIM_ARR_POISSON, .rate = 5 };
    OK(sim_client_add(e, "c", &c));
    return e;
}

static void test_mm_inf(void **state)
{
    (void)state;
    check(build_inf, NULL, FIELD(response), 2.0, "M/M/inf response (= S)");
    check(build_inf, NULL, FIELD(busy), 10.0, "M/M/inf threads held (lambda S)");
}

/* ---- threads on fewer cores: M/M/2 ------------------------------------------------- */

typedef struct cores_case { sim_cpu_sched sched; int shared; } cores_case;

/* 100 threads, 2 cores, exponential work of mean 1, Poisson 1.6/s: the cores are an M/M/2 at
 * rho = 0.8 (FCFS; and PS, whose state-dependent rate min(n, 2) gives the same number in system
 * for exponential work). Erlang C: P(wait) = 6.4/9, Wq = P(wait) / (2 - 1.6), T = 1 + Wq. */
static sim_engine *build_cores(uint64_t rep, const void *arg)
{
    const cores_case *cc = arg;
    sim_engine *e = engine(rep, 20000, 1000);
    sim_service_config sc = { .workers = 100, .queue = -1, .replicas = 1, .cores = 2,
                              .cpu = cc->sched };
    if (cc->shared) {   /* the same cores as a shared host */
        uint32_t h;
        OK(sim_host_add(e, "vm", 2, cc->sched, &h));
        sc.cores = 0;
        sc.host = h + 1;
    }
    uint32_t s, ep;
    OK(sim_service_add(e, "api", &sc, &s));
    OK(sim_endpoint_add(e, s, "e", &ep));
    sim_dist *d;
    OK(sim_dist_exp(&d, 1));
    OK(sim_op_work(e, s, ep, d));
    OK(sim_op_return(e, s, ep));
    sim_client_config c = { .service = s, .arrivals = SIM_ARR_POISSON, .rate = 1.6 };
    OK(sim_client_add(e, "c", &c));
    return e;
}

static void test_threads_on_two_cores(void **state)
{
    (void)state;
    const double wq = (6.4 / 9) / 0.4, t = 1 + wq;
    cores_case fcfs = { SIM_CPU_FCFS, 0 }, ps = { SIM_CPU_PS, 0 }, shared = { SIM_CPU_PS, 1 };
    check(build_cores, &fcfs, FIELD(response), t, "100 threads, 2 cores FCFS: response (M/M/2)");
    check(build_cores, &ps, FIELD(response), t, "100 threads, 2 cores PS: response (M/M/2)");
    check(build_cores, &shared, FIELD(response), t, "same on a shared host");
    check(build_cores, &ps, FIELD(cores), 1.6, "  cores busy (lambda S)");
    check(build_cores, &ps, FIELD(working), 1.6 * t, "  threads working (lambda T)");
}

/* ---- Little's law for blocked and working threads ---------------------------------- */

/* A pool of 50 threads: work exp(10 ms), then a blocking call to a delay service (an infinite
 * server working 50 ms), at 100/s. Each request holds a thread 60 ms on average, of which 10 ms
 * working and 50 ms blocked: Little gives 1 thread working and 5 blocked on average. */
static sim_engine *build_pool(uint64_t rep, const void *arg)
{
    (void)arg;
    sim_engine *e = engine(rep, 2000, 100);
    sim_service_config dc = { .workers = SIM_WORKERS_INF, .queue = -1, .replicas = 1 };
    uint32_t db, dep, s, ep;
    OK(sim_service_add(e, "db", &dc, &db));
    OK(sim_endpoint_add(e, db, "q", &dep));
    sim_dist *d;
    OK(sim_dist_const(&d, 0.05));
    OK(sim_op_io(e, db, dep, d));
    OK(sim_op_return(e, db, dep));
    sim_service_config sc = { .workers = 50, .queue = -1, .replicas = 1 };
    OK(sim_service_add(e, "api", &sc, &s));
    OK(sim_endpoint_add(e, s, "e", &ep));
    OK(sim_dist_exp(&d, 0.01));
    OK(sim_op_work(e, s, ep, d));
    OK(sim_op_call(e, s, ep, db, dep, true));
    OK(sim_op_return(e, s, ep));
    sim_client_config c = { .service = s, .arrivals = SIM_ARR_POISSON, .rate = 100 };
    OK(sim_client_add(e, "c", &c));
    return e;
}

static void test_blocked_threads_littles_law(void **state)
{
    (void)state;
    check(build_pool, NULL, FIELD(working), 1.0, "sync pool: threads working (lambda x 10 ms)");
    check(build_pool, NULL, FIELD(blocked), 5.0, "sync pool: threads blocked (lambda x 50 ms)");
    check(build_pool, NULL, FIELD(cores), 1.0, "sync pool: cores busy (lambda x 10 ms)");
}

int main(void)
{
    scale = validation_scale();
    judge = validation_judge();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_mg1_ps_insensitive),
        cmocka_unit_test(test_mm_inf),
        cmocka_unit_test(test_threads_on_two_cores),
        cmocka_unit_test(test_blocked_threads_littles_law),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
