/* test_engine: unit tests of the simulation engine (model/engine, service, client) built through
 * the builder API of model/model.h.
 *
 * Most models use constant distributions and constant arrival streams, so every count and
 * latency below is derived by hand from the model's semantics (see the comment of each test):
 * the run processes every event with time <= duration, a constant stream sends its first request
 * at its start time, links without latency are crossed at once, and at equal times events run in
 * the order they were scheduled. Every run must also pass the engine's end-of-run ledger
 * (sim_engine_run returns SIM_OK). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/dist.h"
#include "core/error.h"
#include "model/internal.h"
#include "model/model.h"
#include "out/results.h"

/* ---- helpers ------------------------------------------------------------------------ */

#define OK(x) assert_int_equal((x), SIM_OK)

static void assert_near(double got, double want, double tol)
{
    if (!(fabs(got - want) <= tol))
        fail_msg("got %.17g want %.17g (tolerance %g)", got, want, tol);
}

static sim_dist *dconst(double v)
{
    sim_dist *d = NULL;
    OK(sim_dist_const(&d, v));
    return d;
}

static sim_dist *dexp(double mean)
{
    sim_dist *d = NULL;
    OK(sim_dist_exp(&d, mean));
    return d;
}

static sim_engine *engine_w(double duration, double warmup, uint64_t seed)
{
    sim_config cfg = { .seed = seed, .rep = 0, .duration = duration, .warmup = warmup,
                       .sample = 1.0 };
    sim_engine *e = sim_engine_new(&cfg);
    assert_non_null(e);
    return e;
}

static sim_engine *engine(double duration) { return engine_w(duration, 0, 1); }

static uint32_t service_lb(sim_engine *e, const char *name, uint32_t workers, int64_t queue,
                           sim_discipline disc, uint32_t replicas, sim_balancer lb)
{
    sim_service_config cfg = { .workers = workers, .queue = queue, .discipline = disc,
                               .replicas = replicas, .balancer = lb };
    uint32_t s = UINT32_MAX;
    OK(sim_service_add(e, name, &cfg, &s));
    return s;
}

static uint32_t service(sim_engine *e, const char *name, uint32_t workers, int64_t queue,
                        sim_discipline disc)
{
    return service_lb(e, name, workers, queue, disc, 1, SIM_LB_ROUND_ROBIN);
}

static uint32_t endpoint(sim_engine *e, uint32_t s, const char *name)
{
    uint32_t ep = UINT32_MAX;
    OK(sim_endpoint_add(e, s, name, &ep));
    return ep;
}

/* A service whose only endpoint "ep" does `work` (owned) and returns. */
static uint32_t worker_service(sim_engine *e, const char *name, uint32_t workers, int64_t queue,
                               sim_discipline disc, sim_dist *work)
{
    uint32_t s = service(e, name, workers, queue, disc);
    uint32_t ep = endpoint(e, s, "ep");
    OK(sim_op_work(e, s, ep, work));
    OK(sim_op_return(e, s, ep));
    return s;
}

/* An open client of endpoint 0 of service s. */
static sim_client_config open_cfg(uint32_t s, sim_arrivals arr, double rate)
{
    sim_client_config c;
    memset(&c, 0, sizeof c);
    c.service = s;
    c.endpoint = 0;
    c.arrivals = arr;
    c.rate = rate;
    return c;
}

static void add_client(sim_engine *e, const char *name, const sim_client_config *cfg)
{
    OK(sim_client_add(e, name, cfg));
}

static const sim_client *client(const sim_engine *e, uint32_t i)
{
    assert_true(i < e->nclients);
    return &e->clients[i];
}

static const sim_service *svc(const sim_engine *e, uint32_t i)
{
    assert_true(i < e->nsvcs);
    return &e->svcs[i];
}

static void run_ok(sim_engine *e)
{
    int rc = sim_engine_run(e);
    if (rc != SIM_OK)
        fail_msg("sim_engine_run returned %d: %s", rc, sim_engine_error(e));
}

static void check_flow(const sim_flow_counts *f, uint64_t sent, uint64_t ok, uint64_t failed,
                       uint64_t timeouts, uint64_t dropped)
{
    assert_int_equal(f->sent, sent);
    assert_int_equal(f->by[SIM_CAUSE_OK], ok);
    assert_int_equal(f->by[SIM_CAUSE_FAILED], failed);
    assert_int_equal(f->by[SIM_CAUSE_TIMEOUT], timeouts);
    assert_int_equal(f->by[SIM_CAUSE_DROPPED], dropped);
}

static void check_svc(const sim_svc_counts *c, uint64_t arrivals, uint64_t completed,
                      uint64_t failed, uint64_t dropped)
{
    assert_int_equal(c->arrivals, arrivals);
    assert_int_equal(c->by[SIM_CAUSE_OK], completed);
    assert_int_equal(c->by[SIM_CAUSE_FAILED], failed);
    assert_int_equal(c->by[SIM_CAUSE_DROPPED], dropped);
}

/* Response times of a client's window (its histogram keeps count, sum, min and max exactly):
 * count, min, max. */
static void check_lat(const sim_client *c, uint64_t n, double min, double max)
{
    assert_int_equal(c->lat_hist.count, n);
    if (n) {
        assert_near(c->lat_hist.min, min, 1e-9);
        assert_near(c->lat_hist.max, max, 1e-9);
    }
}

static double lat_mean(const sim_client *c) { return c->lat_hist.sum / (double)c->lat_hist.count; }

/* Completion times (the whole tree of a request done): count, min, max. */
static void check_compl(const sim_client *c, uint64_t n, double min, double max)
{
    assert_int_equal(c->compl_hist.count, n);
    if (n) {
        assert_near(c->compl_hist.min, min, 1e-9);
        assert_near(c->compl_hist.max, max, 1e-9);
    }
}

static sim_service_summary svc_summary(const sim_engine *e, uint32_t s)
{
    sim_service_summary v;
    sim_results_service(e, s, &v);
    return v;
}

/* ---- one server, constant everything ------------------------------------------------ */

/* workers=1, work=1, a request every 2 s from t=0, duration 100: requests at 0, 2, ..., 100
 * (51); each is served at once and takes exactly 1 s, so 50 finish (the one sent at 100 would
 * finish at 101) and every latency is exactly 1. Utilization is 50/100. */
static void test_constant_latency_exact(void **state)
{
    (void)state;
    sim_engine *e = engine(100);
    uint32_t s = worker_service(e, "srv", 1, -1, SIM_DISC_FIFO, dconst(1));
    sim_client_config c = open_cfg(s, SIM_ARR_CONSTANT, 0.5);
    add_client(e, "cli", &c);
    run_ok(e);
    const sim_client *cl = client(e, 0);
    check_flow(&cl->all, 51, 50, 0, 0, 0);
    check_flow(&cl->win, 51, 50, 0, 0, 0);
    assert_int_equal(cl->in_flight, 1);
    check_lat(cl, 50, 1.0, 1.0);
    assert_near(lat_mean(cl), 1.0, 1e-12);
    check_compl(cl, 50, 1.0, 1.0);
    check_svc(&svc(e, s)->all, 51, 50, 0, 0);
    assert_int_equal(svc(e, s)->in_flight, 1);

    sim_flow_summary f;
    sim_results_flow(e, 0, &f);
    assert_near(f.sent, 51, 0);
    assert_near(f.ok, 50, 0);
    assert_near(f.in_flight, 1, 0);
    assert_near(f.throughput, 0.5, 1e-12);
    assert_near(f.latency_mean, 1.0, 1e-12);
    assert_near(f.latency_max, 1.0, 1e-12);
    assert_near(f.latency_p50, 1.0, 1e-9);   /* quantiles are clamped into [min, max] */
    assert_near(f.latency_p99, 1.0, 1e-9);
    sim_service_summary v;
    sim_results_service(e, s, &v);
    assert_near(v.arrivals, 51, 0);
    assert_near(v.completed, 50, 0);
    /* Busy on [0,1], [2,3], ..., [98,99] and from 100 to the end: 50 s out of 100. */
    assert_near(v.utilization, 0.5, 1e-9);
    assert_near(v.wait_mean, 0.0, 0);
    assert_near(v.queue_max, 0.0, 0);
    assert_near(v.residence_mean, 1.0, 1e-12);
    sim_engine_free(e);
}

/* workers=1, queue=0 (no waiting room), work=1, a request every 0.5 s, duration 100. The
 * request at an integer time k finds the worker free (the previous one finishes at k, and that
 * completion was scheduled before the arrival at k), the one at k+0.5 finds it busy and is
 * dropped. Sent: 201 (0, 0.5, ..., 100); accepted 101 (integers), of which 100 finish; dropped
 * 100 (0.5, 1.5, ..., 99.5). */
static void test_drops_with_zero_queue(void **state)
{
    (void)state;
    sim_engine *e = engine(100);
    uint32_t s = worker_service(e, "srv", 1, 0, SIM_DISC_FIFO, dconst(1));
    sim_client_config c = open_cfg(s, SIM_ARR_CONSTANT, 2);
    add_client(e, "cli", &c);
    run_ok(e);
    check_flow(&client(e, 0)->all, 201, 100, 0, 0, 100);
    check_lat(client(e, 0), 100, 1.0, 1.0);
    check_svc(&svc(e, s)->all, 201, 100, 0, 100);
    sim_flow_summary f;
    sim_results_flow(e, 0, &f);
    assert_near(f.dropped, 100, 0);
    sim_engine_free(e);
}

/* workers=1, queue capacity 2, work=1, a request every 0.25 s for 100 s (401 sent).
 *   t=0 is served (0->1); .25 and .5 wait; .75 is dropped (queue full).
 *   At each integer k >= 1 the completion (scheduled earlier) comes first: the head of the
 *   queue starts, then the arrival at k takes the free place; k+.25, k+.5, k+.75 are dropped.
 *   Accepted: 0, .25, .5 and every integer 1..100: 103; dropped 401 - 103 = 298.
 *   The worker never idles: completions at 1, 2, ..., 100 (100 ok).
 *   Latencies: 0 -> 1; .25 -> done at 2 (1.75); .5 -> done at 3 (2.5); integer j -> starts at
 *   j+2, done at j+3 (3). At the end 98 is in service and 99, 100 wait: 3 in flight. */
static void test_bounded_queue(void **state)
{
    (void)state;
    sim_engine *e = engine(100);
    uint32_t s = worker_service(e, "srv", 1, 2, SIM_DISC_FIFO, dconst(1));
    sim_client_config c = open_cfg(s, SIM_ARR_CONSTANT, 4);
    add_client(e, "cli", &c);
    run_ok(e);
    check_svc(&svc(e, s)->all, 401, 100, 0, 298);
    check_flow(&client(e, 0)->all, 401, 100, 0, 0, 298);
    check_lat(client(e, 0), 100, 1.0, 3.0);
    assert_int_equal(svc(e, s)->in_flight, 3);
    sim_service_summary v;
    sim_results_service(e, s, &v);
    assert_near(v.queue_max, 2, 0);
    assert_near(v.utilization, 1.0, 1e-9);
    sim_engine_free(e);
}

/* ---- queue disciplines -------------------------------------------------------------- */

/* workers=1, work=1; four requests at 0, .25, .5, .75 (rate 4, limit 4). The first is served
 * at once (0->1); the other three wait.
 *   FIFO: .25 (1->2), .5 (2->3), .75 (3->4): latencies 1, 1.75, 2.5, 3.25.
 *   LIFO: .75 (1->2), .5 (2->3), .25 (3->4): latencies 1, 1.25, 2.5, 3.75.
 * Both have mean 2.125; the second smallest (the median, rank 2 of 4) is 1.75 and 1.25. */
static void run_discipline(sim_discipline disc, double want_max, double want_p50)
{
    sim_engine *e = engine(10);
    uint32_t s = worker_service(e, "srv", 1, -1, disc, dconst(1));
    sim_client_config c = open_cfg(s, SIM_ARR_CONSTANT, 4);
    c.limit = 4;
    add_client(e, "cli", &c);
    run_ok(e);
    check_flow(&client(e, 0)->all, 4, 4, 0, 0, 0);
    check_lat(client(e, 0), 4, 1.0, want_max);
    assert_near(lat_mean(client(e, 0)), 2.125, 1e-12);
    sim_flow_summary f;
    sim_results_flow(e, 0, &f);
    assert_near(f.latency_p50, want_p50, want_p50 * 0.004);
    /* Waits: 0 and then 0.75, 1.5, 2.25 in some order: mean 4.5/4 in both. */
    assert_near(svc_summary(e, s).wait_mean, 1.125, 1e-12);
    sim_engine_free(e);
}

static void test_fifo_order(void **state)
{
    (void)state;
    run_discipline(SIM_DISC_FIFO, 3.25, 1.75);
}

static void test_lifo_order(void **state)
{
    (void)state;
    run_discipline(SIM_DISC_LIFO, 3.75, 1.25);
}

/* Priority queue, workers=1, work=1. Client "lo" (priority 0) sends at 0, .25, .5; client "hi"
 * (priority 5) at .125 and .375. lo@0 is served at once (0->1). Waiting at 1: lo@.25, hi@.125,
 * hi@.375, lo@.5. Priority order: hi@.125 (1->2, 1.875), hi@.375 (2->3, 2.625), then lo in
 * FIFO order: lo@.25 (3->4, 3.75), lo@.5 (4->5, 4.5). Under FIFO instead: hi@.125 (1->2),
 * lo@.25 (2->3), hi@.375 (3->4, 3.625), lo@.5 (4->5). */
static void run_priority(sim_discipline disc, double hi_max, double lo_min2, double lo_max)
{
    sim_engine *e = engine(10);
    uint32_t s = worker_service(e, "srv", 1, -1, disc, dconst(1));
    sim_client_config lo = open_cfg(s, SIM_ARR_CONSTANT, 4);
    lo.limit = 3;
    lo.priority = 0;
    sim_client_config hi = open_cfg(s, SIM_ARR_CONSTANT, 4);
    hi.limit = 2;
    hi.priority = 5;
    hi.start = 0.125;
    add_client(e, "lo", &lo);
    add_client(e, "hi", &hi);
    run_ok(e);
    const sim_client *l = client(e, 0), *h = client(e, 1);
    check_flow(&l->all, 3, 3, 0, 0, 0);
    check_flow(&h->all, 2, 2, 0, 0, 0);
    check_lat(h, 2, 1.875, hi_max);
    check_lat(l, 3, 1.0, lo_max);
    /* The middle lo latency: total minus min and max. */
    assert_near(l->lat_hist.sum - l->lat_hist.min - l->lat_hist.max, lo_min2, 1e-9);
    sim_engine_free(e);
}

static void test_priority_order(void **state)
{
    (void)state;
    run_priority(SIM_DISC_PRIORITY, 2.625, 3.75, 4.5);
}

static void test_priority_fifo_control(void **state)
{
    (void)state;
    /* The same clients under FIFO: lo@.25 done at 3 (2.75), hi@.375 done at 4 (3.625). */
    run_priority(SIM_DISC_FIFO, 3.625, 2.75, 4.5);
}

/* ---- calls and links ---------------------------------------------------------------- */

/* A -> B -> C, every hop 0.0625 s (default link): A works 1, calls B, works 2; B works 0.5,
 * calls C; C works 0.25. Six hops (client->A->B->C and back), so every latency is
 * 1 + 2 + 0.5 + 0.25 + 6 * 0.0625 = 4.125. Requests every 8 s from 0; duration 100: sent 13
 * (0..96); the one sent at 96 is inside A's second work at t=100, so 12 finish. */
static void build_chain(sim_engine *e, uint32_t *a, uint32_t *b, uint32_t *c)
{
    *a = service(e, "A", 4, -1, SIM_DISC_FIFO);
    *b = service(e, "B", 4, -1, SIM_DISC_FIFO);
    *c = worker_service(e, "C", 4, -1, SIM_DISC_FIFO, dconst(0.25));
    uint32_t ea = endpoint(e, *a, "a"), eb = endpoint(e, *b, "b");
    OK(sim_op_work(e, *b, eb, dconst(0.5)));
    OK(sim_op_call(e, *b, eb, *c, 0, true));
    OK(sim_op_return(e, *b, eb));
    OK(sim_op_work(e, *a, ea, dconst(1)));
    OK(sim_op_call(e, *a, ea, *b, eb, true));
    OK(sim_op_work(e, *a, ea, dconst(2)));
    OK(sim_op_return(e, *a, ea));
    OK(sim_link_default(e, dconst(0.0625)));
    sim_client_config cc = open_cfg(*a, SIM_ARR_CONSTANT, 0.125);
    add_client(e, "cli", &cc);
}

static void test_call_chain_latency(void **state)
{
    (void)state;
    sim_engine *e = engine(100);
    uint32_t a, b, c;
    build_chain(e, &a, &b, &c);
    run_ok(e);
    check_flow(&client(e, 0)->all, 13, 12, 0, 0, 0);
    check_lat(client(e, 0), 12, 4.125, 4.125);
    check_compl(client(e, 0), 12, 4.125, 4.125);
    check_svc(&svc(e, a)->all, 13, 12, 0, 0);
    check_svc(&svc(e, b)->all, 13, 13, 0, 0);
    check_svc(&svc(e, c)->all, 13, 13, 0, 0);
    /* Residence at A: its own works plus B's round trip: 1 + 2 + 0.5 + 0.25 + 4 * 0.0625. */
    assert_near(svc_summary(e, a).residence_mean, 4.0, 1e-9);
    assert_near(svc_summary(e, b).residence_mean, 0.875, 1e-9);
    sim_engine_free(e);
}

/* A pair link overrides the default for one pair of nodes: client<->A at 0.5 instead of
 * 0.0625, so the latency grows by 2 * (0.5 - 0.0625) = 0.875 to 5.0. */
static void test_link_pair_override(void **state)
{
    (void)state;
    sim_engine *e = engine(100);
    uint32_t a, b, c;
    build_chain(e, &a, &b, &c);
    OK(sim_link_pair(e, "A", "cli", dconst(0.5)));
    run_ok(e);
    /* The request sent at 96 reaches A at 96.5 and is in A's second work at t=100: 12 finish. */
    check_flow(&client(e, 0)->all, 13, 12, 0, 0, 0);
    check_lat(client(e, 0), 12, 5.0, 5.0);
    sim_engine_free(e);
}

/* A request still travelling over a link towards a service when the run ends is in flight for
 * its client but not yet an arrival at the service; the ledger must accept that. Model: the
 * chain above with duration 96.03; the request sent at 96 reaches A at 96.0625, after the end.
 * Expected: SIM_OK, the client has it in flight (sent 13, ok 12), A has seen 12 arrivals. */
static void test_request_on_link_at_end(void **state)
{
    (void)state;
    sim_engine *e = engine(96.03);
    uint32_t a, b, c;
    build_chain(e, &a, &b, &c);
    run_ok(e);
    check_flow(&client(e, 0)->all, 13, 12, 0, 0, 0);
    check_svc(&svc(e, a)->all, 12, 12, 0, 0);
    sim_engine_free(e);
}

/* Blocking versus non-blocking calls. A (workers=1) calls B (workers=100, work=1) and returns;
 * requests every 0.25 s for 100 s (401 sent).
 *   blocking: A's worker is held for the whole call, so A serves one request per second: the
 *     k-th request (0-based) starts at k and finishes at k+1; 100 finish by t=100.
 *   non-blocking: A gives its worker up during the call; every request finishes 1 s after it
 *     was sent: those sent at <= 99 finish, 397. */
static void run_call_mode(bool blocking, uint64_t want_ok, double want_max_lat)
{
    sim_engine *e = engine(100);
    uint32_t a = service(e, "A", 1, -1, SIM_DISC_FIFO);
    uint32_t b = worker_service(e, "B", 100, -1, SIM_DISC_FIFO, dconst(1));
    uint32_t ea = endpoint(e, a, "a");
    OK(sim_op_call(e, a, ea, b, 0, blocking));
    OK(sim_op_return(e, a, ea));
    sim_client_config c = open_cfg(a, SIM_ARR_CONSTANT, 4);
    add_client(e, "cli", &c);
    run_ok(e);
    check_flow(&client(e, 0)->all, 401, want_ok, 0, 0, 0);
    check_lat(client(e, 0), want_ok, 1.0, want_max_lat);
    assert_int_equal(svc(e, a)->all.by[SIM_CAUSE_OK], want_ok);
    assert_int_equal(svc(e, b)->all.by[SIM_CAUSE_OK], want_ok);
    sim_engine_free(e);
}

static void test_blocking_call_limits_throughput(void **state)
{
    (void)state;
    /* The 100th request (k = 99) was sent at 24.75 and finished at 100: latency 75.25. */
    run_call_mode(true, 100, 75.25);
}

static void test_nonblocking_call_frees_worker(void **state)
{
    (void)state;
    run_call_mode(false, 397, 1.0);
}

/* Sleep gives the worker up, work does not: A (workers=1) sleeps 1 s (or works 1 s); requests
 * every 0.25 s for 100 s. Sleep: 397 finish with latency 1 and A is never busy for any length of
 * time (utilization 0). Work: 100 finish and A is busy the whole run. */
static void test_sleep_releases_worker(void **state)
{
    (void)state;
    for (int sleep = 0; sleep < 2; sleep++) {
        sim_engine *e = engine(100);
        uint32_t a = service(e, "A", 1, -1, SIM_DISC_FIFO);
        uint32_t ea = endpoint(e, a, "a");
        if (sleep)
            OK(sim_op_sleep(e, a, ea, dconst(1)));
        else
            OK(sim_op_work(e, a, ea, dconst(1)));
        OK(sim_op_return(e, a, ea));
        sim_client_config c = open_cfg(a, SIM_ARR_CONSTANT, 4);
        add_client(e, "cli", &c);
        run_ok(e);
        check_flow(&client(e, 0)->all, 401, sleep ? 397 : 100, 0, 0, 0);
        sim_service_summary v;
        sim_results_service(e, a, &v);
        assert_near(v.utilization, sleep ? 0.0 : 1.0, 1e-9);
        if (sleep)
            check_lat(client(e, 0), 397, 1.0, 1.0);
        sim_engine_free(e);
    }
}

/* ---- fork / join -------------------------------------------------------------------- */

/* A fork of three branches working 1, 2 and 4 s, then return. */
static uint32_t fork_service(sim_engine *e, const char *name, sim_join join, uint32_t quorum,
                             bool blocking, uint32_t workers)
{
    static const double d[3] = { 2, 4, 1 };
    uint32_t s = service(e, name, workers, -1, SIM_DISC_FIFO);
    uint32_t ep = endpoint(e, s, "ep"), pc;
    OK(sim_op_fork(e, s, ep, 3, join, quorum, blocking, &pc));
    for (uint32_t i = 0; i < 3; i++) {
        OK(sim_op_set_target(e, s, ep, pc, i, sim_op_next_pc(e, s, ep)));
        /* A non-blocking fork gives its worker up, so its branches wait without one. */
        OK(blocking ? sim_op_work(e, s, ep, dconst(d[i])) : sim_op_sleep(e, s, ep, dconst(d[i])));
        OK(sim_op_branch_end(e, s, ep));
    }
    OK(sim_op_set_target(e, s, ep, pc, 3, sim_op_next_pc(e, s, ep)));
    OK(sim_op_return(e, s, ep));
    return s;
}

/* One request every 8 s for 100 s (13, all finished: the last ends at 100 at the latest).
 * join all -> latency = max = 4; any -> min = 1; quorum 2 -> second smallest = 2. The tree of a
 * request ends with its slowest branch, so completion time is 4 in all three. */
static void test_fork_join_times(void **state)
{
    (void)state;
    sim_engine *e = engine(100);
    uint32_t s_all = fork_service(e, "all", SIM_JOIN_ALL, 0, true, 10);
    uint32_t s_any = fork_service(e, "any", SIM_JOIN_ANY, 0, true, 10);
    uint32_t s_q = fork_service(e, "q2", SIM_JOIN_QUORUM, 2, true, 10);
    sim_client_config c = open_cfg(s_all, SIM_ARR_CONSTANT, 0.125);
    add_client(e, "c_all", &c);
    c.service = s_any;
    add_client(e, "c_any", &c);
    c.service = s_q;
    add_client(e, "c_q2", &c);
    run_ok(e);
    static const double want[3] = { 4, 1, 2 };
    for (uint32_t i = 0; i < 3; i++) {
        const sim_client *cl = client(e, i);
        check_flow(&cl->all, 13, 13, 0, 0, 0);
        check_lat(cl, 13, want[i], want[i]);
        check_compl(cl, 13, 4.0, 4.0);
    }
    sim_engine_free(e);
}

/* Fibers do not need extra workers, and a blocking fork holds the caller's worker until the
 * join: with workers=1 and join all (4 s), requests every 8 s never queue (latency 4), but
 * every 2 s they do: request k starts at 4k and finishes at 4k+4 (latency 2k+4).
 * A non-blocking fork lets the worker go: every request then takes exactly 4 s. */
static void test_fork_blocking_holds_worker(void **state)
{
    (void)state;
    for (int blocking = 0; blocking < 2; blocking++) {
        sim_engine *e = engine(40);
        uint32_t s = fork_service(e, "f", SIM_JOIN_ALL, 0, blocking, 1);
        sim_client_config c = open_cfg(s, SIM_ARR_CONSTANT, 0.5);
        add_client(e, "cli", &c);
        run_ok(e);
        /* Sent: 0, 2, ..., 40 (21). */
        if (blocking) {
            /* Finished: k with 4k+4 <= 40: k = 0..9; the 10th (k=9, sent at 18) has latency
             * 22. */
            check_flow(&client(e, 0)->all, 21, 10, 0, 0, 0);
            check_lat(client(e, 0), 10, 4.0, 22.0);
        } else {
            /* Finished: sent at <= 36: 19. */
            check_flow(&client(e, 0)->all, 21, 19, 0, 0, 0);
            check_lat(client(e, 0), 19, 4.0, 4.0);
        }
        sim_engine_free(e);
    }
}

/* A fork whose branch fails: A forks two branches, one calls D (workers=1, queue=0, work=5),
 * the other works 1 s. Requests every second for 50 s (51 sent). The request at 5k gets D
 * (free again at 5k, its previous completion ordered first); the others find D busy and are
 * dropped, which fails their branch.
 *   join all: a failed branch fails the join: requests at 5k (k=0..9) finish with latency 5
 *     (the one at 50 is still in flight); the other 40 fail.
 *   join any: the working branch succeeds after 1 s: 50 ok (latency 1), none failed. */
static void run_fork_failure(sim_join join, uint64_t ok, uint64_t failed, double lat)
{
    sim_engine *e = engine(50);
    uint32_t d = worker_service(e, "D", 1, 0, SIM_DISC_FIFO, dconst(5));
    uint32_t a = service(e, "A", 100, -1, SIM_DISC_FIFO);
    uint32_t ea = endpoint(e, a, "a"), pc;
    OK(sim_op_fork(e, a, ea, 2, join, 0, true, &pc));
    OK(sim_op_set_target(e, a, ea, pc, 0, sim_op_next_pc(e, a, ea)));
    OK(sim_op_call(e, a, ea, d, 0, true));
    OK(sim_op_branch_end(e, a, ea));
    OK(sim_op_set_target(e, a, ea, pc, 1, sim_op_next_pc(e, a, ea)));
    OK(sim_op_work(e, a, ea, dconst(1)));
    OK(sim_op_branch_end(e, a, ea));
    OK(sim_op_set_target(e, a, ea, pc, 2, sim_op_next_pc(e, a, ea)));
    OK(sim_op_return(e, a, ea));
    sim_client_config c = open_cfg(a, SIM_ARR_CONSTANT, 1);
    add_client(e, "cli", &c);
    run_ok(e);
    check_flow(&client(e, 0)->all, 51, ok, failed, 0, 0);
    check_lat(client(e, 0), ok, lat, lat);
    check_svc(&svc(e, a)->all, 51, ok, failed, 0);
    /* D: 51 calls, 11 accepted (0, 5, ..., 50), 10 done, 40 dropped. */
    check_svc(&svc(e, d)->all, 51, 10, 0, 40);
    sim_engine_free(e);
}

static void test_fork_all_fails_on_branch_failure(void **state)
{
    (void)state;
    run_fork_failure(SIM_JOIN_ALL, 10, 40, 5.0);
}

static void test_fork_any_survives_branch_failure(void **state)
{
    (void)state;
    run_fork_failure(SIM_JOIN_ANY, 50, 0, 1.0);
}

/* ---- probabilistic branches --------------------------------------------------------- */

/* A chooses among three arms with probabilities .2, .3, .5 (given unnormalised as 2, 3, 5);
 * arm i calls service Si (zero time) and jumps to the common return. 20001 requests: each
 * service's count must lie within 5 standard deviations of n p_i. */
static void test_choose_frequencies(void **state)
{
    (void)state;
    sim_engine *e = engine(200);
    static const double probs[3] = { 2, 3, 5 };
    uint32_t t[3];
    static const char *names[3] = { "S0", "S1", "S2" };
    for (int i = 0; i < 3; i++) {
        t[i] = service(e, names[i], 1, -1, SIM_DISC_FIFO);
        uint32_t ep = endpoint(e, t[i], "ep");
        OK(sim_op_return(e, t[i], ep));
    }
    uint32_t a = service(e, "A", 1, -1, SIM_DISC_FIFO);
    uint32_t ea = endpoint(e, a, "a"), pc, jumps[3];
    OK(sim_op_choose(e, a, ea, 3, probs, &pc));
    for (uint32_t i = 0; i < 3; i++) {
        OK(sim_op_set_target(e, a, ea, pc, i, sim_op_next_pc(e, a, ea)));
        OK(sim_op_call(e, a, ea, t[i], 0, true));
        OK(sim_op_jump(e, a, ea, &jumps[i]));
    }
    for (uint32_t i = 0; i < 3; i++)
        OK(sim_op_set_target(e, a, ea, jumps[i], 0, sim_op_next_pc(e, a, ea)));
    OK(sim_op_return(e, a, ea));
    sim_client_config c = open_cfg(a, SIM_ARR_CONSTANT, 100);
    add_client(e, "cli", &c);
    run_ok(e);
    const sim_client *cl = client(e, 0);
    uint64_t n = cl->all.sent;
    assert_true(n >= 20000 && n <= 20001);
    check_flow(&cl->all, n, n, 0, 0, 0);
    uint64_t total = 0;
    for (int i = 0; i < 3; i++) {
        double p = probs[i] / 10.0, k = (double)svc(e, t[i])->all.by[SIM_CAUSE_OK];
        double sd = sqrt((double)n * p * (1 - p));
        if (!(fabs(k - (double)n * p) <= 5 * sd))
            fail_msg("arm %d: %g of %llu, expected %g +- %g", i, k, (unsigned long long)n,
                     (double)n * p, 5 * sd);
        total += svc(e, t[i])->all.by[SIM_CAUSE_OK];
    }
    /* Exactly one arm per request. */
    assert_int_equal(total, n);
    sim_engine_free(e);
}

/* ---- closed workloads --------------------------------------------------------------- */

/* 3 users, think 1.5 s, service work 0.5 s with 3 workers (never a queue). Each user sends at
 * 1.5 + 2k and gets its answer at 2 + 2k: 50 cycles in 100 s each, 150 in all, throughput
 * N / (think + service) = 1.5 per second. */
static void test_closed_throughput(void **state)
{
    (void)state;
    sim_engine *e = engine(100);
    uint32_t s = worker_service(e, "srv", 3, -1, SIM_DISC_FIFO, dconst(0.5));
    sim_client_config c;
    memset(&c, 0, sizeof c);
    c.service = s;
    c.closed = true;
    c.users = 3;
    c.think = dconst(1.5);
    add_client(e, "users", &c);
    run_ok(e);
    check_flow(&client(e, 0)->all, 150, 150, 0, 0, 0);
    check_lat(client(e, 0), 150, 0.5, 0.5);
    sim_flow_summary f;
    sim_results_flow(e, 0, &f);
    assert_near(f.throughput, 3.0 / (1.5 + 0.5), 1e-12);
    sim_service_summary v;
    sim_results_service(e, s, &v);
    assert_near(v.wait_mean, 0.0, 0);
    sim_engine_free(e);
}

/* A closed population with one worker: the users queue behind each other. 2 users, no think
 * time, work 1: the server is never idle and each request waits for the other user's: after
 * the first pair, latency is exactly 2. Completions at 1, 2, ..., 100: 100 ok; throughput 1. */
static void test_closed_saturated(void **state)
{
    (void)state;
    sim_engine *e = engine(100);
    uint32_t s = worker_service(e, "srv", 1, -1, SIM_DISC_FIFO, dconst(1));
    sim_client_config c;
    memset(&c, 0, sizeof c);
    c.service = s;
    c.closed = true;
    c.users = 2;
    add_client(e, "users", &c);
    run_ok(e);
    /* Sent: 2 at t=0, then one at each completion 1..100 (the one at 100 in flight): 102. */
    check_flow(&client(e, 0)->all, 102, 100, 0, 0, 0);
    check_lat(client(e, 0), 100, 1.0, 2.0);
    assert_near(lat_mean(client(e, 0)), (1.0 + 2.0 * 99) / 100, 1e-12);
    sim_engine_free(e);
}

/* ---- timeouts ----------------------------------------------------------------------- */

/* Work 2, timeout 1, a request every second for 50 s: every request times out 1 s after it was
 * sent. Sent 51; the 50 sent by t=49 time out, the one sent at 50 is in flight. The service
 * goes on serving them (one worker, one every 2 s: completions at 2, 4, ..., 50) and its late
 * replies are ignored; the ledger must still balance. */
static void test_timeouts(void **state)
{
    (void)state;
    sim_engine *e = engine(50);
    uint32_t s = worker_service(e, "srv", 1, -1, SIM_DISC_FIFO, dconst(2));
    sim_client_config c = open_cfg(s, SIM_ARR_CONSTANT, 1);
    c.timeout = 1;
    add_client(e, "cli", &c);
    run_ok(e);
    check_flow(&client(e, 0)->all, 51, 0, 0, 50, 0);
    assert_int_equal(client(e, 0)->in_flight, 1);
    check_lat(client(e, 0), 0, 0, 0);
    check_svc(&svc(e, s)->all, 51, 25, 0, 0);
    assert_int_equal(svc(e, s)->in_flight, 26);
    sim_flow_summary f;
    sim_results_flow(e, 0, &f);
    assert_near(f.timeouts, 50, 0);
    assert_near(f.throughput, 0, 0);
    sim_engine_free(e);
}

/* A timeout longer than the service time never fires: work 1, timeout 1.5. */
static void test_timeout_not_reached(void **state)
{
    (void)state;
    sim_engine *e = engine(50);
    uint32_t s = worker_service(e, "srv", 1, -1, SIM_DISC_FIFO, dconst(1));
    sim_client_config c = open_cfg(s, SIM_ARR_CONSTANT, 0.5);
    c.timeout = 1.5;
    add_client(e, "cli", &c);
    run_ok(e);
    check_flow(&client(e, 0)->all, 26, 25, 0, 0, 0);
    check_lat(client(e, 0), 25, 1.0, 1.0);
    sim_engine_free(e);
}

/* A closed user that times out thinks and sends again: 1 user, think 0.5, work 3, timeout 1:
 * sends at 0.5, 2, 3.5, ... (every 1.5 s) and times out each time. The server (one worker)
 * is busy with a backlog; the client sees only timeouts. In 30 s: sends at 0.5 + 1.5k <= 30,
 * k = 0..19 (20), the last (29) times out at 30: 20 timeouts. */
static void test_closed_timeout(void **state)
{
    (void)state;
    sim_engine *e = engine(30);
    uint32_t s = worker_service(e, "srv", 1, -1, SIM_DISC_FIFO, dconst(3));
    sim_client_config c;
    memset(&c, 0, sizeof c);
    c.service = s;
    c.closed = true;
    c.users = 1;
    c.think = dconst(0.5);
    c.timeout = 1;
    add_client(e, "u", &c);
    run_ok(e);
    check_flow(&client(e, 0)->all, 20, 0, 0, 20, 0);
    sim_engine_free(e);
}

/* ---- load balancing ----------------------------------------------------------------- */

/* 4 replicas with one worker each, work 1, a request every 0.25 s. Round robin sends request k
 * to replica k mod 4, so each replica gets one request per second exactly when its previous one
 * ends: nobody ever waits. Least-outstanding does the same (exactly one replica is idle at each
 * arrival). 401 sent, 397 done (those sent at <= 99). Random balancing, the control, must
 * queue. */
static void run_balancer(sim_balancer lb, int expect_queue)
{
    sim_engine *e = engine(100);
    uint32_t s = service_lb(e, "srv", 1, -1, SIM_DISC_FIFO, 4, lb);
    uint32_t ep = endpoint(e, s, "ep");
    OK(sim_op_work(e, s, ep, dconst(1)));
    OK(sim_op_return(e, s, ep));
    sim_client_config c = open_cfg(s, SIM_ARR_CONSTANT, 4);
    add_client(e, "cli", &c);
    run_ok(e);
    sim_service_summary v;
    sim_results_service(e, s, &v);
    if (expect_queue) {
        assert_true(v.queue_max >= 1);
        assert_true(v.wait_mean > 0);
    } else {
        check_flow(&client(e, 0)->all, 401, 397, 0, 0, 0);
        check_lat(client(e, 0), 397, 1.0, 1.0);
        assert_near(v.queue_max, 0, 0);
        assert_near(v.wait_mean, 0, 0);
        /* Busy time: 397 requests worked a full second; those sent at 99.25, 99.5, 99.75 and
         * 100 were cut by the end after 0.75, 0.5, 0.25 and 0 s. */
        assert_near(v.utilization, (397 + 1.5) / 400.0, 1e-9);
    }
    sim_engine_free(e);
}

static void test_round_robin_even(void **state)
{
    (void)state;
    run_balancer(SIM_LB_ROUND_ROBIN, 0);
}

static void test_least_outstanding_even(void **state)
{
    (void)state;
    run_balancer(SIM_LB_LEAST_OUTSTANDING, 0);
}

static void test_random_balancer_queues(void **state)
{
    (void)state;
    run_balancer(SIM_LB_RANDOM, 1);
}

/* Statistical comparison with Poisson arrivals at 3.6/s over 4 replicas (work 1, one worker
 * each, load 0.9): random splitting gives four M/D/1 queues with mean wait
 * rho / (2 mu (1 - rho)) = 4.5 s; power of two choices and least outstanding use the queue
 * lengths and must wait far less. */
static double balancer_wait(sim_balancer lb, uint64_t *events)
{
    sim_engine *e = engine_w(3000, 100, 7);
    uint32_t s = service_lb(e, "srv", 1, -1, SIM_DISC_FIFO, 4, lb);
    uint32_t ep = endpoint(e, s, "ep");
    OK(sim_op_work(e, s, ep, dconst(1)));
    OK(sim_op_return(e, s, ep));
    sim_client_config c = open_cfg(s, SIM_ARR_POISSON, 3.6);
    add_client(e, "cli", &c);
    run_ok(e);
    const sim_client *cl = client(e, 0);
    /* Every request sent is accounted for. */
    assert_int_equal(cl->all.sent, cl->all.by[SIM_CAUSE_OK] + cl->in_flight);
    assert_true(cl->all.sent > 10000);
    sim_service_summary v;
    sim_results_service(e, s, &v);
    if (events)
        *events = sim_engine_events(e);
    sim_engine_free(e);
    return v.wait_mean;
}

static void test_balancers_compare(void **state)
{
    (void)state;
    double w_rand = balancer_wait(SIM_LB_RANDOM, NULL);
    double w_p2 = balancer_wait(SIM_LB_POWER_OF_TWO, NULL);
    double w_lo = balancer_wait(SIM_LB_LEAST_OUTSTANDING, NULL);
    double w_rr = balancer_wait(SIM_LB_ROUND_ROBIN, NULL);
    print_message("mean wait: random %.3f, p2c %.3f, least outstanding %.3f, rr %.3f\n", w_rand,
                  w_p2, w_lo, w_rr);
    /* M/D/1 at 0.9: 4.5 s; allow for the finite run. */
    assert_true(w_rand > 2.5 && w_rand < 8.0);
    assert_true(w_p2 < w_rand / 2);
    assert_true(w_lo < w_rand / 2);
    assert_true(w_lo <= w_p2 * 1.05);   /* full information does at least as well */
    assert_true(w_rr < w_rand);         /* E_4/D/1 waits less than M/D/1 */
}

/* ---- warm-up, limits ---------------------------------------------------------------- */

/* Warm-up 10, duration 20, a request every second, work 1.5 with 2 workers (no queue).
 * Client windows count requests created at t >= 10: sent 11 (10..20), ok 9 (10..18; the one
 * at 19 ends at 20.5). Whole run: sent 21, ok 19 (0..18). The service window starts at 10: 11
 * arrivals, and completions in [10, 20]: those sent at 9..18 (10.5 .. 19.5), 10. */
static void test_warmup(void **state)
{
    (void)state;
    sim_engine *e = engine_w(20, 10, 1);
    uint32_t s = worker_service(e, "srv", 2, -1, SIM_DISC_FIFO, dconst(1.5));
    sim_client_config c = open_cfg(s, SIM_ARR_CONSTANT, 1);
    add_client(e, "cli", &c);
    run_ok(e);
    const sim_client *cl = client(e, 0);
    check_flow(&cl->all, 21, 19, 0, 0, 0);
    check_flow(&cl->win, 11, 9, 0, 0, 0);
    check_lat(cl, 9, 1.5, 1.5);
    check_compl(cl, 9, 1.5, 1.5);
    check_svc(&svc(e, s)->all, 21, 19, 0, 0);
    /* Services follow cohorts too: of the 11 arrivals at 10..20, those at 10..18 completed (at
     * 11.5..19.5); the one that arrived at 9 and finished at 10.5 is in neither count. */
    sim_svc_counts win;
    sim_service_win(svc(e, s), &win);
    check_svc(&win, 11, 9, 0, 0);
    sim_flow_summary f;
    sim_results_flow(e, 0, &f);
    assert_near(f.sent, 11, 0);
    assert_near(f.ok, 9, 0);
    assert_near(f.in_flight, 2, 0);
    assert_near(f.throughput, 9 / 10.0, 1e-12);
    sim_service_summary v;
    sim_results_service(e, s, &v);
    assert_near(v.completed, 9, 0);
    assert_near(v.in_flight, 2, 0);
    assert_near(v.arrivals, v.completed + v.failed + v.dropped + v.in_flight, 0);
    assert_near(v.throughput, 9 / 10.0, 1e-12);
    /* Busy in [10, 20]: one request always working except... each lasts 1.5 s and they start
     * every second, so 1 or 2 are busy: on [k, k+0.5) two, on [k+0.5, k+1) one; mean 1.5 of 2
     * workers. */
    assert_near(v.utilization, 0.75, 1e-9);
    sim_engine_free(e);
}

/* Warm-up with a drop and a timeout: only requests created after the warm-up count in the
 * client window. One worker, queue 0, work 3, timeout 2, a request every second, warm-up 5.5,
 * duration 20. Accepted at 0, 3, 6, ..., the others dropped at once; accepted ones time out at
 * +2. Whole run: sent 21 (0..20); accepted 0,3,...,18 (7): 7 timeouts (the last at 20);
 * dropped 14. Window (created at >= 5.5, i.e. 6..20, 15 sent): accepted 6, 9, ..., 18 (5
 * timeouts), dropped 10. */
static void test_warmup_cohorts(void **state)
{
    (void)state;
    sim_engine *e = engine_w(20, 5.5, 1);
    uint32_t s = worker_service(e, "srv", 1, 0, SIM_DISC_FIFO, dconst(3));
    sim_client_config c = open_cfg(s, SIM_ARR_CONSTANT, 1);
    c.timeout = 2;
    add_client(e, "cli", &c);
    run_ok(e);
    check_flow(&client(e, 0)->all, 21, 0, 0, 7, 14);
    check_flow(&client(e, 0)->win, 15, 0, 0, 5, 10);
    sim_engine_free(e);
}

/* limit stops a client after that many requests: open constant (limit 5), open Poisson
 * (limit 7) and closed (2 users, think 1, limit 9). */
static void test_limit(void **state)
{
    (void)state;
    sim_engine *e = engine(100);
    uint32_t s = worker_service(e, "srv", 10, -1, SIM_DISC_FIFO, dconst(0.5));
    sim_client_config c = open_cfg(s, SIM_ARR_CONSTANT, 1);
    c.limit = 5;
    add_client(e, "const", &c);
    c = open_cfg(s, SIM_ARR_POISSON, 2);
    c.limit = 7;
    add_client(e, "poisson", &c);
    memset(&c, 0, sizeof c);
    c.service = s;
    c.closed = true;
    c.users = 2;
    c.think = dconst(1);
    c.limit = 9;
    add_client(e, "closed", &c);
    run_ok(e);
    check_flow(&client(e, 0)->all, 5, 5, 0, 0, 0);
    check_flow(&client(e, 1)->all, 7, 7, 0, 0, 0);
    check_flow(&client(e, 2)->all, 9, 9, 0, 0, 0);
    assert_int_equal(client(e, 0)->created, 5);
    check_svc(&svc(e, s)->all, 21, 21, 0, 0);
    /* The constant client's requests: 0..4, all latency 0.5. */
    check_lat(client(e, 0), 5, 0.5, 0.5);
    sim_engine_free(e);
}

/* start delays a client's first request: constant rate 1 from t=10, duration 20: sent at
 * 10..20 (11); work 0.25, so the one sent at 20 is still in flight: 10 ok. */
static void test_client_start(void **state)
{
    (void)state;
    sim_engine *e = engine(20);
    uint32_t s = worker_service(e, "srv", 1, -1, SIM_DISC_FIFO, dconst(0.25));
    sim_client_config c = open_cfg(s, SIM_ARR_CONSTANT, 1);
    c.start = 10;
    add_client(e, "cli", &c);
    run_ok(e);
    check_flow(&client(e, 0)->all, 11, 10, 0, 0, 0);
    check_lat(client(e, 0), 10, 0.25, 0.25);
    check_svc(&svc(e, s)->all, 11, 10, 0, 0);
    sim_engine_free(e);
}

/* ---- reproducibility ---------------------------------------------------------------- */

typedef struct outcome {
    uint64_t sent, ok, dropped, events, arr_a, arr_b;
    double lat_mean, lat_max, wait_a;
} outcome;

/* A small model with exponential times everywhere (arrivals, work, links, think). */
static sim_engine *build_random(uint64_t seed)
{
    sim_engine *e = engine_w(200, 20, seed);
    uint32_t b = worker_service(e, "B", 2, 20, SIM_DISC_FIFO, dexp(0.2));
    uint32_t a = service(e, "A", 4, -1, SIM_DISC_FIFO);
    uint32_t ea = endpoint(e, a, "a");
    OK(sim_op_work(e, a, ea, dexp(0.1)));
    OK(sim_op_call(e, a, ea, b, 0, true));
    OK(sim_op_return(e, a, ea));
    OK(sim_link_default(e, dexp(0.01)));
    sim_client_config c = open_cfg(a, SIM_ARR_POISSON, 3);
    add_client(e, "open", &c);
    memset(&c, 0, sizeof c);
    c.service = a;
    c.closed = true;
    c.users = 3;
    c.think = dexp(1);
    add_client(e, "closed", &c);
    return e;
}

static outcome take(const sim_engine *e)
{
    outcome o;
    memset(&o, 0, sizeof o);
    o.sent = e->clients[0].all.sent + e->clients[1].all.sent;
    o.ok = e->clients[0].all.by[SIM_CAUSE_OK] + e->clients[1].all.by[SIM_CAUSE_OK];
    o.dropped = e->clients[0].all.by[SIM_CAUSE_DROPPED] + e->clients[1].all.by[SIM_CAUSE_DROPPED];
    o.events = sim_engine_events(e);
    o.arr_a = e->svcs[1].all.arrivals;
    o.arr_b = e->svcs[0].all.arrivals;
    o.lat_mean = lat_mean(&e->clients[0]);
    o.lat_max = e->clients[0].lat_hist.max;
    o.wait_a = svc_summary(e, 1).wait_mean;
    return o;
}

static int same(const outcome *x, const outcome *y)
{
    return x->sent == y->sent && x->ok == y->ok && x->dropped == y->dropped &&
           x->events == y->events && x->arr_a == y->arr_a && x->arr_b == y->arr_b &&
           x->lat_mean == y->lat_mean && x->lat_max == y->lat_max && x->wait_a == y->wait_a;
}

static void test_same_seed_same_results(void **state)
{
    (void)state;
    sim_engine *e1 = build_random(42);
    run_ok(e1);
    outcome o1 = take(e1);
    sim_engine_free(e1);
    sim_engine *e2 = build_random(42);
    run_ok(e2);
    outcome o2 = take(e2);
    sim_engine_free(e2);
    assert_true(o1.sent > 800);
    assert_true(same(&o1, &o2));
}

static void test_different_seed_different_results(void **state)
{
    (void)state;
    sim_engine *e1 = build_random(42);
    run_ok(e1);
    outcome o1 = take(e1);
    sim_engine_free(e1);
    sim_engine *e2 = build_random(43);
    run_ok(e2);
    outcome o2 = take(e2);
    sim_engine_free(e2);
    assert_false(same(&o1, &o2));
    assert_true(o1.lat_mean != o2.lat_mean);
    assert_true(o1.events != o2.events || o1.sent != o2.sent);
}

/* Two engines alive at once, built and run interleaved, agree with each other and with one run
 * alone: no state is shared between engines. */
static void test_two_engines_independent(void **state)
{
    (void)state;
    sim_engine *solo = build_random(5);
    run_ok(solo);
    outcome o0 = take(solo);
    sim_engine_free(solo);

    sim_engine *e1 = build_random(5);
    sim_engine *e2 = build_random(5);
    sim_engine *e3 = build_random(6);   /* a third, different, alive at the same time */
    run_ok(e2);
    run_ok(e3);
    run_ok(e1);
    outcome o1 = take(e1), o2 = take(e2), o3 = take(e3);
    assert_true(same(&o0, &o1));
    assert_true(same(&o0, &o2));
    assert_false(same(&o0, &o3));
    sim_engine_free(e1);
    sim_engine_free(e3);
    sim_engine_free(e2);
}

/* ---- the builder's contract --------------------------------------------------------- */

static void test_builder_errors(void **state)
{
    (void)state;
    sim_config bad = { .seed = 1, .duration = 10, .warmup = 10, .sample = 1 };
    assert_null(sim_engine_new(&bad));
    bad.warmup = 0;
    bad.sample = 0;
    assert_null(sim_engine_new(&bad));
    bad.sample = 1;
    bad.duration = 0;
    assert_null(sim_engine_new(&bad));

    sim_engine *e = engine(10);
    sim_service_config sc = { .workers = 0, .queue = -1, .replicas = 1 };
    assert_int_equal(sim_service_add(e, "x", &sc, NULL), SIM_EINVAL);
    uint32_t s = service(e, "srv", 1, -1, SIM_DISC_FIFO);
    uint32_t ep = endpoint(e, s, "ep");
    assert_int_equal(sim_endpoint_add(e, 7, "nope", NULL), SIM_EINVAL);
    assert_int_equal(sim_op_work(e, s, ep, NULL), SIM_EINVAL);
    assert_int_equal(sim_op_call(e, s, ep, 9, 0, true), SIM_EINVAL);
    double zero[2] = { 0, 0 };
    assert_int_equal(sim_op_choose(e, s, ep, 2, zero, NULL), SIM_EINVAL);
    assert_int_equal(sim_op_fork(e, s, ep, 2, SIM_JOIN_QUORUM, 3, true, NULL), SIM_EINVAL);
    /* An open endpoint cannot run. */
    sim_client_config c = open_cfg(s, SIM_ARR_CONSTANT, 1);
    add_client(e, "cli", &c);
    c.rate = 0;
    assert_int_equal(sim_client_add(e, "bad", &c), SIM_EINVAL);
    assert_int_equal(sim_engine_run(e), SIM_EMODEL);
    sim_engine_free(e);

    e = engine(10);
    s = worker_service(e, "srv", 1, -1, SIM_DISC_FIFO, dconst(1));
    /* The endpoint is closed: nothing more may be appended. */
    assert_int_equal(sim_op_work(e, s, 0, dconst(1)), SIM_EINVAL);
    c = open_cfg(s, SIM_ARR_CONSTANT, 1);
    add_client(e, "cli", &c);
    run_ok(e);
    /* After the run: no second run and no more building. */
    assert_int_equal(sim_engine_run(e), SIM_ESTATE);
    assert_int_equal(sim_service_add(e, "late", &(sim_service_config){ .workers = 1,
                                                                        .queue = -1,
                                                                        .replicas = 1 },
                                     NULL),
                     SIM_ESTATE);
    assert_int_equal(sim_link_default(e, dconst(1)), SIM_ESTATE);
    sim_engine_free(e);
    sim_engine_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_latency_exact),
        cmocka_unit_test(test_drops_with_zero_queue),
        cmocka_unit_test(test_bounded_queue),
        cmocka_unit_test(test_fifo_order),
        cmocka_unit_test(test_lifo_order),
        cmocka_unit_test(test_priority_order),
        cmocka_unit_test(test_priority_fifo_control),
        cmocka_unit_test(test_call_chain_latency),
        cmocka_unit_test(test_link_pair_override),
        cmocka_unit_test(test_request_on_link_at_end),
        cmocka_unit_test(test_blocking_call_limits_throughput),
        cmocka_unit_test(test_nonblocking_call_frees_worker),
        cmocka_unit_test(test_sleep_releases_worker),
        cmocka_unit_test(test_fork_join_times),
        cmocka_unit_test(test_fork_blocking_holds_worker),
        cmocka_unit_test(test_fork_all_fails_on_branch_failure),
        cmocka_unit_test(test_fork_any_survives_branch_failure),
        cmocka_unit_test(test_choose_frequencies),
        cmocka_unit_test(test_closed_throughput),
        cmocka_unit_test(test_closed_saturated),
        cmocka_unit_test(test_timeouts),
        cmocka_unit_test(test_timeout_not_reached),
        cmocka_unit_test(test_closed_timeout),
        cmocka_unit_test(test_round_robin_even),
        cmocka_unit_test(test_least_outstanding_even),
        cmocka_unit_test(test_random_balancer_queues),
        cmocka_unit_test(test_balancers_compare),
        cmocka_unit_test(test_warmup),
        cmocka_unit_test(test_warmup_cohorts),
        cmocka_unit_test(test_limit),
        cmocka_unit_test(test_client_start),
        cmocka_unit_test(test_same_seed_same_results),
        cmocka_unit_test(test_different_seed_different_results),
        cmocka_unit_test(test_two_engines_independent),
        cmocka_unit_test(test_builder_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
