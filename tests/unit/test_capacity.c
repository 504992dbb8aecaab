/* The static capacity analysis (model/capacity.h) against values computed by hand on small
 * models: visits through blocking and non-blocking calls, parallel branches and probabilistic
 * branches; holding times; replicas; private cores and a shared host (an M/M/c stretch);
 * closed-client bounds; the chain of calls named in an overload warning. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/dist.h"
#include "core/error.h"
#include "model/capacity.h"
#include "model/model.h"

#define OK(x) assert_int_equal((x), SIM_OK)
#define NEAR(got, want, rel)                                                                 \
    do {                                                                                     \
        double g_ = (got), w_ = (want);                                                      \
        if (!(fabs(g_ - w_) <= (rel) * fabs(w_) + 1e-12))                                    \
            fail_msg("%s = %.9g, expected %.9g", #got, g_, w_);                              \
    } while (0)

static sim_engine *engine(void)
{
    sim_config cfg = { .seed = 1, .duration = 100, .warmup = 10, .sample = 10 };
    sim_engine *e = sim_engine_new(&cfg);
    assert_non_null(e);
    return e;
}

static sim_dist *cnst(double v)
{
    sim_dist *d;
    OK(sim_dist_const(&d, v));
    return d;
}

static uint32_t service(sim_engine *e, const char *name, uint32_t workers, uint32_t replicas,
                        double cores, uint32_t host)
{
    sim_service_config sc = { .workers = workers, .queue = -1, .replicas = replicas,
                              .cores = cores, .host = host };
    uint32_t s;
    OK(sim_service_add(e, name, &sc, &s));
    return s;
}

static void open_client(sim_engine *e, const char *name, uint32_t s, uint32_t ep, double rate)
{
    sim_client_config cc = { .service = s, .endpoint = ep, .arrivals = SIM_ARR_POISSON,
                             .rate = rate };
    OK(sim_client_add(e, name, &cc));
}

static const sim_cap_resource *resource(const sim_capacity *c, sim_res_kind k, uint32_t i)
{
    for (size_t r = 0; r < c->nresources; r++)
        if (c->res[r].kind == k && c->res[r].index == i)
            return &c->res[r];
    fail_msg("no resource of kind %d for %u", (int)k, i);
    return NULL;
}

/* front.page: work 10 ms; call mid.get; branch { 0.25: call leaf, 0.75: call side without
 * blocking }; parallel { call leaf, call leaf }; sleep 1 s.
 * mid (2 replicas of 2 threads).get: work 2 ms; call leaf; call leaf.  leaf: io 5 ms (8 threads).
 * side (infinite): work 3 ms. 10 requests/s.
 *   visits per request: front.page 1, mid.get 1, side 0.75, leaf 2 + 0.25 + 2 = 4.25
 *   holding: leaf 5 ms; mid 2 + 2 x 5 = 12 ms; front 10 + 12 + 0.25 x 5 + max(5, 5) = 28.25 ms
 *   (the non-blocking call and the sleep hold nothing: 1 + 0.75 + 1 = 2.75 acquisitions)
 *   threads: front 10 x 0.02825 / 4, mid 10 x 0.012 / (2 x 2), leaf 42.5 x 0.005 / 8. */
static void build_calls(sim_engine *e, uint32_t *front, uint32_t *mid, uint32_t *leaf,
                        uint32_t *side)
{
    *front = service(e, "front", 4, 1, 0, 0);
    *mid = service(e, "mid", 2, 2, 0, 0);
    *leaf = service(e, "leaf", 8, 1, 0, 0);
    *side = service(e, "side", SIM_WORKERS_INF, 1, 0, 0);
    uint32_t ep, pc, j0, j1;
    OK(sim_endpoint_add(e, *leaf, "default", &ep));
    OK(sim_op_io(e, *leaf, 0, cnst(0.005)));
    OK(sim_op_return(e, *leaf, 0));
    OK(sim_endpoint_add(e, *side, "default", &ep));
    OK(sim_op_work(e, *side, 0, cnst(0.003)));
    OK(sim_op_return(e, *side, 0));
    OK(sim_endpoint_add(e, *mid, "get", &ep));
    OK(sim_op_work(e, *mid, 0, cnst(0.002)));
    OK(sim_op_call(e, *mid, 0, *leaf, 0, true));
    OK(sim_op_call(e, *mid, 0, *leaf, 0, true));
    OK(sim_op_return(e, *mid, 0));

    uint32_t f = *front;
    OK(sim_endpoint_add(e, f, "page", &ep));
    OK(sim_op_work(e, f, 0, cnst(0.010)));
    OK(sim_op_call(e, f, 0, *mid, 0, true));
    const double probs[2] = { 0.25, 0.75 };
    OK(sim_op_choose(e, f, 0, 2, probs, &pc));
    OK(sim_op_set_target(e, f, 0, pc, 0, sim_op_next_pc(e, f, 0)));
    OK(sim_op_call(e, f, 0, *leaf, 0, true));
    OK(sim_op_jump(e, f, 0, &j0));
    OK(sim_op_set_target(e, f, 0, pc, 1, sim_op_next_pc(e, f, 0)));
    OK(sim_op_call(e, f, 0, *side, 0, false));
    OK(sim_op_jump(e, f, 0, &j1));
    OK(sim_op_set_target(e, f, 0, j0, 0, sim_op_next_pc(e, f, 0)));
    OK(sim_op_set_target(e, f, 0, j1, 0, sim_op_next_pc(e, f, 0)));
    OK(sim_op_fork(e, f, 0, 2, SIM_JOIN_ALL, 0, true, &pc));
    for (uint32_t i = 0; i < 2; i++) {
        OK(sim_op_set_target(e, f, 0, pc, i, sim_op_next_pc(e, f, 0)));
        OK(sim_op_call(e, f, 0, *leaf, 0, true));
        OK(sim_op_branch_end(e, f, 0));
    }
    OK(sim_op_set_target(e, f, 0, pc, 2, sim_op_next_pc(e, f, 0)));
    OK(sim_op_sleep(e, f, 0, cnst(1.0)));
    OK(sim_op_return(e, f, 0));
    open_client(e, "users", f, 0, 10);
}

static void test_visits_and_holding(void **state)
{
    (void)state;
    sim_engine *e = engine();
    uint32_t front, mid, leaf, side;
    build_calls(e, &front, &mid, &leaf, &side);
    sim_capacity c;
    OK(sim_capacity_analyze(e, &c));
    assert_int_equal(c.nendpoints, 4);
    const sim_cap_endpoint *F = &c.eps[c.first[front]], *M = &c.eps[c.first[mid]];
    const sim_cap_endpoint *L = &c.eps[c.first[leaf]], *S = &c.eps[c.first[side]];

    double v[4];
    sim_capacity_visits(&c, c.first[front], v);
    NEAR(v[c.first[front]], 1, 1e-12);
    NEAR(v[c.first[mid]], 1, 1e-12);
    NEAR(v[c.first[leaf]], 4.25, 1e-12);
    NEAR(v[c.first[side]], 0.75, 1e-12);
    NEAR(F->arrivals, 10, 1e-12);
    NEAR(M->arrivals, 10, 1e-12);
    NEAR(L->arrivals, 42.5, 1e-12);
    NEAR(S->arrivals, 7.5, 1e-12);

    NEAR(F->cpu, 0.010, 1e-12);
    NEAR(M->cpu, 0.002, 1e-12);
    NEAR(S->cpu, 0.003, 1e-12);
    NEAR(L->hold, 0.005, 1e-9);
    NEAR(M->hold, 0.012, 1e-4);       /* the waits at leaf are below 1e-4 of it */
    NEAR(F->hold, 0.02825, 1e-3);     /* likewise the waits at mid */
    NEAR(F->segments, 2.75, 1e-12);
    NEAR(sim_capacity_util(resource(&c, SIM_RES_THREADS, front), 0), 10 * 0.02825 / 4, 1e-3);
    NEAR(sim_capacity_util(resource(&c, SIM_RES_THREADS, mid), 0), 10 * 0.012 / 4, 1e-4);
    NEAR(sim_capacity_util(resource(&c, SIM_RES_THREADS, leaf), 0), 42.5 * 0.005 / 8, 1e-9);
    for (size_t r = 0; r < c.nresources; r++)   /* an infinite server is no resource */
        assert_false(c.res[r].kind == SIM_RES_THREADS && c.res[r].index == side);

    /* The chain to leaf follows the caller that brings it most: front's 2.25 calls a request
     * (22.5/s) against mid's 2 (20/s). */
    char buf[256];
    assert_string_equal(sim_capacity_chain(&c, c.first[leaf], 0, buf, sizeof buf),
                        "users -> front.page -> leaf");
    assert_string_equal(sim_capacity_chain(&c, c.first[side], 0, buf, sizeof buf),
                        "users -> front.page -> side");
    sim_capacity_fini(&c);
    sim_engine_free(e);
}

/* A parallel's duration: the k-th of its branches. Three calls to an io of 10, 20 and 30 ms
 * (constants): all = 30 ms, any = 10 ms, quorum 2 = 20 ms of thread held; and every branch is
 * visited whatever the join. */
static void test_fork_joins(void **state)
{
    (void)state;
    const sim_join joins[3] = { SIM_JOIN_ALL, SIM_JOIN_ANY, SIM_JOIN_QUORUM };
    const double want[3] = { 0.030, 0.010, 0.020 };
    for (int j = 0; j < 3; j++) {
        sim_engine *e = engine();
        uint32_t io[3], ep, pc;
        const char *names[3] = { "a", "b", "c" };
        for (int i = 0; i < 3; i++) {
            io[i] = service(e, names[i], 100, 1, 0, 0);
            OK(sim_endpoint_add(e, io[i], "default", &ep));
            OK(sim_op_io(e, io[i], 0, cnst(0.010 * (i + 1))));
            OK(sim_op_return(e, io[i], 0));
        }
        uint32_t f = service(e, "f", 10, 1, 0, 0);
        OK(sim_endpoint_add(e, f, "default", &ep));
        OK(sim_op_fork(e, f, 0, 3, joins[j], 2, true, &pc));
        for (uint32_t i = 0; i < 3; i++) {
            OK(sim_op_set_target(e, f, 0, pc, i, sim_op_next_pc(e, f, 0)));
            OK(sim_op_call(e, f, 0, io[i], 0, true));
            OK(sim_op_branch_end(e, f, 0));
        }
        OK(sim_op_set_target(e, f, 0, pc, 3, sim_op_next_pc(e, f, 0)));
        OK(sim_op_return(e, f, 0));
        open_client(e, "u", f, 0, 1);
        sim_capacity c;
        OK(sim_capacity_analyze(e, &c));
        NEAR(c.eps[c.first[f]].hold, want[j], 1e-6);
        for (int i = 0; i < 3; i++)
            NEAR(c.eps[c.first[io[i]]].arrivals, 1, 1e-12);
        sim_capacity_fini(&c);
        sim_engine_free(e);
    }
}

/* Two exponential branches of mean 10 ms (io): E[max] = 15 ms, E[min] = 5 ms. */
static void test_fork_exponential(void **state)
{
    (void)state;
    for (int any = 0; any < 2; any++) {
        sim_engine *e = engine();
        uint32_t ep, pc;
        uint32_t f = service(e, "f", 10, 1, 0, 0);
        OK(sim_endpoint_add(e, f, "default", &ep));
        OK(sim_op_fork(e, f, 0, 2, any ? SIM_JOIN_ANY : SIM_JOIN_ALL, 0, true, &pc));
        for (uint32_t i = 0; i < 2; i++) {
            sim_dist *d;
            OK(sim_dist_exp(&d, 0.010));
            OK(sim_op_set_target(e, f, 0, pc, i, sim_op_next_pc(e, f, 0)));
            OK(sim_op_io(e, f, 0, d));
            OK(sim_op_branch_end(e, f, 0));
        }
        OK(sim_op_set_target(e, f, 0, pc, 2, sim_op_next_pc(e, f, 0)));
        OK(sim_op_return(e, f, 0));
        open_client(e, "u", f, 0, 1);
        sim_capacity c;
        OK(sim_capacity_analyze(e, &c));
        NEAR(c.eps[0].hold, any ? 0.005 : 0.015, 2e-3);
        sim_capacity_fini(&c);
        sim_engine_free(e);
    }
}

/* A shared host of 2 cores: a (3 replicas of 4 threads, 50 ms of work, 30/s) and b (2 threads,
 * 20 ms, 20/s): 1.5 + 0.4 = 1.9 cores busy, 95%. Processor sharing on 2 cores at 1.9 is an
 * M/M/2 in the number present: E[N] = 2 rho / (1 - rho^2) = 19.487, so work takes 19.487 / 1.9
 * = 10.256 times its demand, and a's threads hold 30 x 0.05 x 10.256 = 15.38 of 12: overloaded.
 * Private cores: c (2 replicas of 1 core, 8 threads, 10 ms, 50/s): 25% a replica, an M/M/1
 * stretch of 1 / (1 - 0.25). */
static void test_cores_and_hosts(void **state)
{
    (void)state;
    sim_engine *e = engine();
    uint32_t h, ep;
    OK(sim_host_add(e, "vm", 2, SIM_CPU_PS, &h));
    uint32_t a = service(e, "a", 4, 3, 0, h + 1), b = service(e, "b", 2, 1, 0, h + 1);
    uint32_t cs = service(e, "c", 8, 2, 1, 0);
    const uint32_t svc[3] = { a, b, cs };
    const double work[3] = { 0.05, 0.02, 0.01 }, rate[3] = { 30, 20, 50 };
    const char *names[3] = { "ca", "cb", "cc" };
    for (int i = 0; i < 3; i++) {
        sim_dist *d;
        OK(sim_dist_exp(&d, work[i]));
        OK(sim_endpoint_add(e, svc[i], "default", &ep));
        OK(sim_op_work(e, svc[i], 0, d));
        OK(sim_op_return(e, svc[i], 0));
        open_client(e, names[i], svc[i], 0, rate[i]);
    }
    sim_capacity c;
    OK(sim_capacity_analyze(e, &c));
    const sim_cap_resource *host = resource(&c, SIM_RES_HOST, h);
    NEAR(host->capacity, 2, 0);
    NEAR(host->load, 1.9, 1e-12);
    NEAR(sim_capacity_util(host, 0), 0.95, 1e-12);
    double stretch = (2 * 0.95 / (1 - 0.95 * 0.95)) / 1.9;
    NEAR(c.eps[c.first[a]].hold, 0.05 * stretch, 1e-9);
    const sim_cap_resource *ta = resource(&c, SIM_RES_THREADS, a);
    NEAR(ta->capacity, 12, 0);
    NEAR(ta->load, 30 * 0.05 * stretch, 1e-9);
    assert_true(ta->open_load >= ta->capacity);   /* overloaded: the threads wait on the cores */
    const sim_cap_resource *cc = resource(&c, SIM_RES_CORES, cs);
    NEAR(cc->capacity, 2, 0);
    NEAR(sim_capacity_util(cc, 0), 0.25, 1e-12);
    NEAR(c.eps[c.first[cs]].hold, 0.01 / (1 - 0.25), 1e-9);
    char buf[128];
    assert_string_equal(sim_capacity_resource_name(&c, host, buf, sizeof buf), "host 'vm'");
    assert_string_equal(sim_capacity_resource_name(&c, ta, buf, sizeof buf),
                        "threads of service 'a'");
    sim_capacity_fini(&c);
    sim_engine_free(e);
}

/* A closed client of N users thinking Z = 1 s at a service of 2 threads and 100 ms of work:
 * N / (Z + D) = N / 1.1, and the threads allow 2 / 0.1 = 20 requests/s. With 10 users the first
 * bounds (9.09/s); with 100 the threads do (20/s, 100% busy). */
static void test_closed_bounds(void **state)
{
    (void)state;
    for (int big = 0; big < 2; big++) {
        sim_engine *e = engine();
        uint32_t s = service(e, "s", 2, 1, 0, 0), ep;
        OK(sim_endpoint_add(e, s, "default", &ep));
        OK(sim_op_work(e, s, 0, cnst(0.1)));
        OK(sim_op_return(e, s, 0));
        sim_client_config cc = { .service = s, .closed = true, .users = big ? 100 : 10,
                                 .think = cnst(1.0) };
        OK(sim_client_add(e, "users", &cc));
        sim_capacity c;
        OK(sim_capacity_analyze(e, &c));
        const sim_cap_client *cl = &c.clients[0];
        assert_true(cl->closed);
        NEAR(cl->demand, 0.1, 1e-12);
        NEAR(cl->bound_think, (big ? 100 : 10) / 1.1, 1e-12);
        NEAR(cl->bound_resource, 20, 1e-6);
        assert_true(cl->binding >= 0);
        const sim_cap_resource *t = resource(&c, SIM_RES_THREADS, s);
        if (big) {
            NEAR(cl->throughput, 20, 1e-6);
            NEAR(sim_capacity_util(t, 0), 1.0, 1e-6);
            assert_true(t->open_load < t->capacity);   /* saturated, not overloaded */
        } else {
            assert_true(cl->throughput <= cl->bound_think * (1 + 1e-12));
            assert_true(cl->throughput > 0.95 * cl->bound_think);
        }
        sim_capacity_fini(&c);
        sim_engine_free(e);
    }
}

/* Schedules and bursts: the mean rate over the statistics window [10, 100] and the peak. A rate
 * of 5 from 0, 40 from 40, 5 from 70: (30 x 5 + 30 x 40 + 30 x 5) / 90 = 16.67; peak 40. */
static void test_rates(void **state)
{
    (void)state;
    sim_engine *e = engine();
    uint32_t s = service(e, "s", 100, 1, 0, 0), ep;
    OK(sim_endpoint_add(e, s, "default", &ep));
    OK(sim_op_work(e, s, 0, cnst(0.01)));
    OK(sim_op_return(e, s, 0));
    const double times[3] = { 0, 40, 70 }, rates[3] = { 5, 40, 5 };
    sim_client_config cc = { .service = s, .arrivals = SIM_ARR_SCHEDULE, .times = times,
                             .rates = rates, .npoints = 3 };
    OK(sim_client_add(e, "ramp", &cc));
    sim_client_config bc = { .service = s, .arrivals = SIM_ARR_BURSTY, .rate = 100,
                             .on = cnst(1), .off = cnst(9) };
    OK(sim_client_add(e, "bursts", &bc));
    sim_capacity c;
    OK(sim_capacity_analyze(e, &c));
    NEAR(c.clients[0].rate, (30 * 5 + 30 * 40 + 30 * 5) / 90.0, 1e-12);
    NEAR(c.clients[0].peak, 40, 0);
    NEAR(c.clients[1].rate, 10, 1e-12);
    NEAR(c.clients[1].peak, 100, 0);
    NEAR(c.eps[0].arrivals, 150 / 9.0 + 10, 1e-12);
    NEAR(c.eps[0].arrivals_peak, 140, 1e-12);
    sim_capacity_fini(&c);
    sim_engine_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_visits_and_holding), cmocka_unit_test(test_fork_joins),
        cmocka_unit_test(test_fork_exponential),   cmocka_unit_test(test_cores_and_hosts),
        cmocka_unit_test(test_closed_bounds),      cmocka_unit_test(test_rates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
