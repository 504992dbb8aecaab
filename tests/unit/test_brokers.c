/* test_brokers: queues and topics against independent answers.
 *
 * Each case writes a small scenario, runs R replications (rep = 0..R-1, one seed), takes one
 * figure per replication from the result value and compares the 99% Student t interval of its
 * mean with the answer computed here from the parameters (M/M/1 formulas), or checks an exact
 * property in every replication (copies per group, capacity under backpressure). The central
 * claim (asynchronous: lower response, higher completion) is a paired comparison of the same
 * arrivals (common random numbers: the client's stream does not depend on the mode). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scenario_case.h"
#include "stats/hist.h"

#define LEVEL CASE_LEVEL
#define SEED 7
#define REPS 20

static dessa_scenario *load(const char *text, const dessa_override *ov, size_t nov)
{
    return case_load(text, ov, nov, SEED);
}

static void run_rep(dessa_scenario *sc, uint64_t rep, sim_rep_result *res)
{
    case_run(sc, SEED, rep, res, NULL, NULL);
}

/* ---- M/M/1 behind a queue --------------------------------------------------------------- */

static const char *const MM1 =
    "local lambda = param('lambda', 1.0)\n"
    "local s = param('s', 0.5)\n"
    "local front_s = param('front_s', 0.2)\n"
    "local back = service 'back' { workers = 1, work = exp(s) }\n"
    "local jobs = queue 'jobs' { }\n"
    "subscribe(jobs, back, { consumers = 1 })\n"
    "local front = service 'front' { workers = 'inf',\n"
    "  endpoint 'req' { work(exp(front_s)), publish(jobs) } }\n"
    "client 'load' { target = front, arrivals = poisson(lambda) }\n"
    "run { duration = 20100, warmup = 100 }\n";

/* One consumer and Poisson publishes: the message's sojourn (accepted to processed) is the
 * M/M/1 response time, mean 1/(mu - lambda) and p99 ln(100)/(mu - lambda). A publish-only front
 * (an infinite server) answers in its own work alone, and the request completes when the
 * consumer is done: completion = front + the M/M/1 sojourn. */
static void test_queue_mm1(void **state)
{
    (void)state;
    const double lambda = 1.0, s = 0.5, front_s = 0.2, mu = 1.0 / s;
    dessa_scenario *sc = load(MM1, NULL, 0);
    sim_tally soj, soj99, resp, compl, util;
    sim_tally_reset(&soj);
    sim_tally_reset(&soj99);
    sim_tally_reset(&resp);
    sim_tally_reset(&compl);
    sim_tally_reset(&util);
    for (uint64_t rep = 0; rep < REPS; rep++) {
        sim_rep_result r;
        run_rep(sc, rep, &r);
        const sim_entity_result *g = case_find(&r, sim_result_kind_broker(), "jobs", "jobs");
        const sim_entity_result *f = case_find(&r, sim_result_kind_flow(), "load", NULL);
        sim_tally_add(&soj, sim_entity_value(g, "sojourn_mean"));
        sim_tally_add(&soj99, sim_entity_value(g, "sojourn_p99"));
        sim_tally_add(&util, sim_entity_value(g, "consumer_utilization"));
        sim_tally_add(&resp, sim_entity_value(f, "latency_mean"));
        sim_tally_add(&compl, sim_entity_value(f, "completion_mean"));
        sim_rep_result_fini(&r);
    }
    dessa_scenario_free(sc);
    expect_in("message sojourn mean (M/M/1)", &soj, 1.0 / (mu - lambda), 0);
    expect_in("message sojourn p99 (M/M/1)", &soj99, log(100.0) / (mu - lambda),
              SIM_HIST_REL_ERROR);
    expect_in("consumer utilization (rho)", &util, lambda / mu, 0);
    expect_in("response = front alone", &resp, front_s, 0);
    expect_in("completion = front + sojourn", &compl, front_s + 1.0 / (mu - lambda), 0);
}

/* ---- a topic delivers every message to every group -------------------------------------- */

static const char *const FANOUT =
    "local t = topic 'events' { }\n"
    "for i, mean in ipairs({ 0.1, 0.3, 0.6 }) do\n"
    "  subscribe(t, service('g' .. i) { workers = 2, work = exp(mean) }, { consumers = 2 })\n"
    "end\n"
    "local front = service 'front' { workers = 'inf', endpoint 'req' { work(0.01), publish(t) } }\n"
    "client 'load' { target = front, arrivals = poisson(2) }\n"
    "link { latency = exp(0.001) }\n"
    "run { duration = 2000 }\n";

static void test_topic_copies(void **state)
{
    (void)state;
    dessa_scenario *sc = load(FANOUT, NULL, 0);
    for (uint64_t rep = 0; rep < 5; rep++) {
        sim_rep_result r;
        run_rep(sc, rep, &r);
        const sim_entity_result *b = case_find(&r, sim_result_kind_broker(), "events", "");
        double accepted = sim_entity_value(b, "published") - sim_entity_value(b, "in_flight");
        double total = 0;
        for (int i = 1; i <= 3; i++) {
            char g[16];
            snprintf(g, sizeof g, "g%d", i);
            const sim_entity_result *x = case_find(&r, sim_result_kind_broker(), "events", g);
            double pub = sim_entity_value(x, "published");
            /* every accepted message, once, in every group */
            assert_true(pub == accepted);
            assert_true(sim_entity_value(x, "acked") + sim_entity_value(x, "buffered") +
                            sim_entity_value(x, "in_flight") == pub);
            assert_true(sim_entity_value(x, "dropped") == 0);
            total += sim_entity_value(x, "delivered");
        }
        assert_true(total <= 3 * accepted && total >= 3 * accepted - 3 * 2 * 3);
        assert_true(accepted > 3500);
        sim_rep_result_fini(&r);
    }
    dessa_scenario_free(sc);
}

/* ---- backpressure ----------------------------------------------------------------------- */

static const char *const BLOCK =
    "local back = service 'back' { workers = 1, work = exp(1.0) }\n"
    "local jobs = queue 'jobs' { capacity = 5, on_full = 'block' }\n"
    "subscribe(jobs, back, { consumers = 1, prefetch = 2 })\n"
    "local front = service 'front' { workers = 8, endpoint 'req' { work(exp(0.05)), publish(jobs) } }\n"
    "client 'load' { target = front, arrivals = poisson(3) }\n"
    "link { latency = exp(0.01) }\n"
    "run { duration = 3000 }\n";

/* Offered three times what the consumer can do: the queue fills and holds its producers. It
 * never buffers more than its capacity, drops nothing, and the producers' threads are held. */
static void test_backpressure(void **state)
{
    (void)state;
    dessa_scenario *sc = load(BLOCK, NULL, 0);
    for (uint64_t rep = 0; rep < 5; rep++) {
        sim_rep_result r;
        run_rep(sc, rep, &r);
        const sim_entity_result *g = case_find(&r, sim_result_kind_broker(), "jobs", "jobs");
        const sim_entity_result *f = case_find(&r, sim_result_kind_service(), "front", NULL);
        assert_true(sim_entity_value(g, "depth_max") <= 5);
        assert_true(sim_entity_value(g, "depth_max") == 5);
        assert_true(sim_entity_value(g, "dropped") == 0);
        assert_true(sim_entity_value(f, "threads_blocked") > 7.0);
        sim_rep_result_fini(&r);
    }
    dessa_scenario_free(sc);
}

/* ---- the central claim: sync vs async ----------------------------------------------------- */

static const char *const CHAIN =
    "local mode = param('mode', 'sync')\n"
    "local back = service 'back' { workers = 1, work = exp(0.5) }\n"
    "local jobs = queue 'jobs' { }\n"
    "subscribe(jobs, back, { consumers = 1 })\n"
    "local front = service 'front' { workers = 'inf', endpoint 'req' { work(exp(0.2)),\n"
    "  mode == 'sync' and call(back) or publish(jobs) } }\n"
    "client 'load' { target = front, arrivals = poisson(1) }\n"
    "link { latency = 0.01 }\n"
    "run { duration = 10100, warmup = 100 }\n";

/* Same seed, same arrivals: the asynchronous version answers sooner (the client waits for the
 * front only) and completes later (the message's extra hops, and the consumer idle while its
 * acknowledgement and the next message travel). Paired differences per replication. */
static void test_sync_vs_async(void **state)
{
    (void)state;
    dessa_override sync = { "mode", "sync" }, async = { "mode", "async" };
    dessa_scenario *s1 = load(CHAIN, &sync, 1), *s2 = load(CHAIN, &async, 1);
    sim_tally dresp, dcompl;
    sim_tally_reset(&dresp);
    sim_tally_reset(&dcompl);
    for (uint64_t rep = 0; rep < REPS; rep++) {
        sim_rep_result a, b;
        run_rep(s1, rep, &a);
        run_rep(s2, rep, &b);
        const sim_entity_result *fa = case_find(&a, sim_result_kind_flow(), "load", NULL);
        const sim_entity_result *fb = case_find(&b, sim_result_kind_flow(), "load", NULL);
        assert_true(sim_entity_value(fa, "sent") == sim_entity_value(fb, "sent"));
        sim_tally_add(&dresp, sim_entity_value(fb, "latency_mean") -
                                  sim_entity_value(fa, "latency_mean"));
        sim_tally_add(&dcompl, sim_entity_value(fb, "completion_mean") -
                                   sim_entity_value(fa, "completion_mean"));
        sim_rep_result_fini(&a);
        sim_rep_result_fini(&b);
    }
    dessa_scenario_free(s1);
    dessa_scenario_free(s2);
    double h1 = sim_ci_t_halfwidth(&dresp, LEVEL), h2 = sim_ci_t_halfwidth(&dcompl, LEVEL);
    printf("  async - sync response   %9.5f ± %.5f\n", sim_tally_mean(&dresp), h1);
    printf("  async - sync completion %9.5f ± %.5f\n", sim_tally_mean(&dcompl), h2);
    assert_true(sim_tally_mean(&dresp) + h1 < 0);
    assert_true(sim_tally_mean(&dcompl) - h2 > 0);
}

/* ---- reply() ------------------------------------------------------------------------------ */

/* ---- a consumer's outage: the queue holds the messages ---------------------------------- */

static const char *const OUTAGE =
    "local f = service 'f' { workers = 8, work = exp(0.04) }\n"
    "outage { target = f, at = 10, duration = 5 }\n"
    "local q = queue 'q' { }\n"
    "local dlq = queue 'dlq' { }\n"
    "local sink = service 'sink' { workers = 1, work = 0.001 }\n"
    "subscribe(dlq, sink, { consumers = 1 })\n"
    "subscribe(q, f, { consumers = 8, max_deliveries = 5, dead_letter = dlq })\n"
    "local o = service 'o' { workers = 8, endpoint 'p' { work(0.001), publish(q) } }\n"
    "client 'c' { target = o, arrivals = poisson(100) }\n"
    "run { duration = 40 }\n";

/* While every replica of the consumer's service is down the queue delivers nothing to it: the
 * outage's 500 or so messages wait (depth), only those in the consumer's hands when it went
 * down are redelivered (at most its 8 consumers), none reaches max_deliveries, and after the
 * outage everything is acknowledged. (Offering the messages anyway, to be refused and put back,
 * dead-lettered hundreds of them within milliseconds.) */
static void test_outage_holds_messages(void **state)
{
    (void)state;
    dessa_scenario *sc = load(OUTAGE, NULL, 0);
    for (uint64_t rep = 0; rep < 5; rep++) {
        sim_rep_result r;
        run_rep(sc, rep, &r);
        double pub = bval(&r, "q", "q", "published"), depth = bval(&r, "q", "q", "depth_max");
        printf("  rep %llu: published %g, depth_max %g, redelivered %g, dead-lettered %g\n",
               (unsigned long long)rep, pub, depth, bval(&r, "q", "q", "redelivered"),
               bval(&r, "q", "q", "dead_lettered"));
        assert_true(bval(&r, "q", "q", "dead_lettered") == 0);
        assert_true(bval(&r, "q", "q", "redelivered") <= 8);
        assert_true(depth >= 350 && depth <= 650);
        assert_true(bval(&r, "q", "q", "acked") + bval(&r, "q", "q", "buffered") +
                        bval(&r, "q", "q", "in_flight") == pub);
        expect_balance(&r, "q", "q");
        sim_rep_result_fini(&r);
    }
    dessa_scenario_free(sc);
}

/* ---- a consumer whose waiting room is full ---------------------------------------------- */

/* db's room holds one request and its callers fill it (70% of its one worker from o alone, in
 * bursts); its three consumers hand it the queue's messages too. A delivery is admitted past
 * the room's capacity and the guards (its consumer took it, the subscription bounds it): turned
 * away, it was redelivered at once into the same full room, in zero time, until the stall guard
 * failed the run. Callers' requests are still dropped and shed; no message is. */
static const char *const FULL_ROOM =
    "local db = service 'db' { workers = 1, queue = 1, shed_queue = 1, rate_limit = 100,\n"
    "                          work = exp(0.02) }\n"
    "local jobs = queue 'jobs' { }\n"
    "subscribe(jobs, db, { consumers = 3 })\n"
    "local api = service 'api' { workers = 16, endpoint 'get' { work(0.001), publish(jobs) } }\n"
    "local other = service 'o' { workers = 16, endpoint 'get' { call(db) } }\n"
    "client 'users' { target = api, arrivals = poisson(10) }\n"
    "client 'u2' { target = other, arrivals = poisson(60) }\n"
    "run { duration = 60 }\n";

static void test_full_room_admits_deliveries(void **state)
{
    (void)state;
    dessa_scenario *sc = load(FULL_ROOM, NULL, 0);
    for (uint64_t rep = 0; rep < 4; rep++) {
        sim_rep_result r;
        run_rep(sc, rep, &r);   /* fails on the stall guard without the admission */
        double turned = sval(&r, "db", "dropped") + sval(&r, "db", "shed");
        printf("  rep %llu: db turned away %g calls; jobs published %g, acked %g, redelivered %g\n",
               (unsigned long long)rep, turned, bval(&r, "jobs", "jobs", "published"),
               bval(&r, "jobs", "jobs", "acked"), bval(&r, "jobs", "jobs", "redelivered"));
        assert_true(turned > 100);   /* the callers still meet the full room */
        assert_true(bval(&r, "jobs", "jobs", "redelivered") == 0);
        assert_true(bval(&r, "jobs", "jobs", "dropped") == 0);
        assert_true(bval(&r, "jobs", "jobs", "published") > 400);
        expect_balance(&r, "jobs", "jobs");
        sim_rep_result_fini(&r);
    }
    dessa_scenario_free(sc);
}

/* ---- a tandem of three asynchronous hops ------------------------------------------------ */

static const char *const TANDEM =
    "local c = service 'c' { workers = 1, work = exp(1 / 1.25) }\n"
    "local qc = queue 'qc' { }\n"
    "subscribe(qc, c, { consumers = 1 })\n"
    "local b = service 'b' { workers = 1, endpoint 'on' { work(exp(1 / 1.6)), publish(qc) } }\n"
    "local qb = queue 'qb' { }\n"
    "subscribe(qb, b, { consumers = 1 })\n"
    "local a = service 'a' { workers = 1, endpoint 'on' { work(exp(1 / 2)), publish(qb) } }\n"
    "local qa = queue 'qa' { }\n"
    "subscribe(qa, a, { consumers = 1 })\n"
    "local front = service 'front' { workers = 'inf', endpoint 'req' { publish(qa) } }\n"
    "client 'load' { target = front, arrivals = poisson(0.8) }\n"
    "run { duration = 100200, warmup = 200 }\n";

/* P(T > t) for T a sum of independent exponentials of distinct rates r[0..k-1]. */
static double hypoexp_tail(const double *r, int k, double t)
{
    double p = 0;
    for (int i = 0; i < k; i++) {
        double w = exp(-r[i] * t);
        for (int j = 0; j < k; j++)
            if (j != i)
                w *= r[j] / (r[j] - r[i]);
        p += w;
    }
    return p;
}

/* Publishes through three queues, each with one consumer (rates 2, 1.6 and 1.25, Poisson
 * arrivals at 0.8): an open Jackson tandem. The front answers at once, and the request is
 * complete when the third consumer is done, so the completion time is the sum of three
 * independent M/M/1 sojourns (Burke): mean sum 1/(mu_i - lambda), and its p99 is that of the
 * hypoexponential law with rates mu_i - lambda (found by bisection on its tail). */
static void test_async_tandem(void **state)
{
    (void)state;
    const double lambda = 0.8, mu[3] = { 2, 1.6, 1.25 };
    double r[3], mean = 0;
    for (int i = 0; i < 3; i++) {
        r[i] = mu[i] - lambda;
        mean += 1 / r[i];
    }
    double lo = 0, hi = 200;
    for (int it = 0; it < 200; it++) {
        double mid = (lo + hi) / 2;
        if (hypoexp_tail(r, 3, mid) > 0.01)
            lo = mid;
        else
            hi = mid;
    }
    dessa_scenario *sc = load(TANDEM, NULL, 0);
    sim_tally cm, cp, resp;
    sim_tally_reset(&cm);
    sim_tally_reset(&cp);
    sim_tally_reset(&resp);
    for (uint64_t rep = 0; rep < REPS; rep++) {
        sim_rep_result res;
        run_rep(sc, rep, &res);
        const sim_entity_result *f = case_find(&res, sim_result_kind_flow(), "load", NULL);
        sim_tally_add(&cm, sim_entity_value(f, "completion_mean"));
        sim_tally_add(&cp, sim_entity_value(f, "completion_p99"));
        sim_tally_add(&resp, sim_entity_value(f, "latency_mean"));
        expect_balance(&res, "qa", "qa");
        expect_balance(&res, "qc", "qc");
        sim_rep_result_fini(&res);
    }
    dessa_scenario_free(sc);
    expect_in("tandem completion mean", &cm, mean, 0.0);
    expect_in("tandem completion p99", &cp, (lo + hi) / 2, 0.005);
    assert_true(sim_tally_mean(&resp) == 0);   /* the front answers at once */
}

static const char *const REPLY =
    "local front = service 'front' { workers = 'inf',\n"
    "  endpoint 'req' { work(exp(0.1)), reply(), io(exp(0.3)) } }\n"
    "client 'load' { target = front, arrivals = poisson(2) }\n"
    "run { duration = 5100, warmup = 100 }\n";

/* Reply early: the response is the first phase (0.1), the completion both phases (0.4). */
static void test_reply(void **state)
{
    (void)state;
    dessa_scenario *sc = load(REPLY, NULL, 0);
    sim_tally resp, compl;
    sim_tally_reset(&resp);
    sim_tally_reset(&compl);
    for (uint64_t rep = 0; rep < REPS; rep++) {
        sim_rep_result r;
        run_rep(sc, rep, &r);
        const sim_entity_result *f = case_find(&r, sim_result_kind_flow(), "load", NULL);
        sim_tally_add(&resp, sim_entity_value(f, "latency_mean"));
        sim_tally_add(&compl, sim_entity_value(f, "completion_mean"));
        sim_rep_result_fini(&r);
    }
    dessa_scenario_free(sc);
    expect_in("response = first phase", &resp, 0.1, 0);
    expect_in("completion = both phases", &compl, 0.4, 0);
}

/* ---- delivery semantics ------------------------------------------------------------------ */

/* A consumer failing with probability p after its work. Publishing stops after `n` requests
 * and the run is long enough for every message to be settled, so each replication sees every
 * message to its end. */
static const char *const FAILING =
    "local p = param('p', 0.25)\n"
    "local mode = param('mode', 'at_least_once')\n"
    "local n = param('n', 0)\n"
    "local back = service 'back' { workers = 2, work = exp(0.2), error_rate = p }\n"
    "local jobs = queue 'jobs' { }\n"
    "local dlq = queue 'dlq' { }\n"
    "local o = { consumers = 2, delivery = mode }\n"
    "if n > 0 then o.max_deliveries = n; o.dead_letter = dlq end\n"
    "subscribe(jobs, back, o)\n"
    "subscribe(dlq, service 'sink' { workers = 1, work = exp(0.01) })\n"
    "local front = service 'front' { workers = 'inf', endpoint 'req' { work(exp(0.1)),\n"
    "  publish(jobs) } }\n"
    "client 'load' { target = front, arrivals = poisson(4), limit = 3000 }\n"
    "link { latency = exp(0.002) }\n"
    "run { duration = 5000 }\n";

/* at_least_once with error rate p: nothing is lost, every message is acknowledged once, and the
 * deliveries of a message are geometric: mean 1/(1 - p), so redeliveries p/(1 - p) per
 * message. A failed processing is not a completed one: no duplicates. */
static void test_at_least_once(void **state)
{
    (void)state;
    const double p = 0.25;
    dessa_override ov[] = { { "p", "0.25" } };
    dessa_scenario *sc = load(FAILING, ov, 1);
    sim_tally deliveries, redelivered;
    sim_tally_reset(&deliveries);
    sim_tally_reset(&redelivered);
    for (uint64_t rep = 0; rep < REPS; rep++) {
        sim_rep_result r;
        run_rep(sc, rep, &r);
        double pub = bval(&r, "jobs", "jobs", "published");
        assert_true(pub == 3000);
        assert_true(bval(&r, "jobs", "jobs", "acked") == pub);
        assert_true(bval(&r, "jobs", "jobs", "lost") == 0);
        assert_true(bval(&r, "jobs", "jobs", "duplicates") == 0);
        assert_true(bval(&r, "jobs", "jobs", "dead_lettered") == 0);
        expect_balance(&r, "jobs", "jobs");
        sim_tally_add(&deliveries, bval(&r, "jobs", "jobs", "delivered") / pub);
        sim_tally_add(&redelivered, bval(&r, "jobs", "jobs", "redelivered") / pub);
        sim_rep_result_fini(&r);
    }
    dessa_scenario_free(sc);
    expect_in("deliveries per message 1/(1-p)", &deliveries, 1 / (1 - p), 0);
    expect_in("redeliveries per message p/(1-p)", &redelivered, p / (1 - p), 0);
}

/* at_most_once: acknowledged on receipt, a failed processing loses its message (a fraction p),
 * and nothing is delivered twice. */
static void test_at_most_once(void **state)
{
    (void)state;
    dessa_override ov[] = { { "p", "0.25" }, { "mode", "at_most_once" } };
    dessa_scenario *sc = load(FAILING, ov, 2);
    sim_tally lost;
    sim_tally_reset(&lost);
    for (uint64_t rep = 0; rep < REPS; rep++) {
        sim_rep_result r;
        run_rep(sc, rep, &r);
        double pub = bval(&r, "jobs", "jobs", "published");
        assert_true(bval(&r, "jobs", "jobs", "delivered") == pub);
        assert_true(bval(&r, "jobs", "jobs", "redelivered") == 0);
        assert_true(bval(&r, "jobs", "jobs", "duplicates") == 0);
        assert_true(bval(&r, "jobs", "jobs", "acked") + bval(&r, "jobs", "jobs", "lost") == pub);
        expect_balance(&r, "jobs", "jobs");
        sim_tally_add(&lost, bval(&r, "jobs", "jobs", "lost") / pub);
        sim_rep_result_fini(&r);
    }
    dessa_scenario_free(sc);
    expect_in("lost fraction p", &lost, 0.25, 0);
}

/* max_deliveries n with error rate p: a message fails all its n deliveries with probability
 * p^n and goes to the dead-letter queue, whose own consumer then processes it; the others are
 * acknowledged. Deliveries per message: (1 - p^n) / (1 - p). */
static void test_dead_letter(void **state)
{
    (void)state;
    const double p = 0.4;
    const int n = 2;
    dessa_override ov[] = { { "p", "0.4" }, { "n", "2" } };
    dessa_scenario *sc = load(FAILING, ov, 2);
    sim_tally dead, deliveries;
    sim_tally_reset(&dead);
    sim_tally_reset(&deliveries);
    for (uint64_t rep = 0; rep < REPS; rep++) {
        sim_rep_result r;
        run_rep(sc, rep, &r);
        double pub = bval(&r, "jobs", "jobs", "published");
        double dl = bval(&r, "jobs", "jobs", "dead_lettered");
        assert_true(bval(&r, "jobs", "jobs", "acked") + dl == pub);
        assert_true(bval(&r, "jobs", "jobs", "lost") == 0);
        /* the dead-letter queue got them all, and its subscriber processed them */
        assert_true(bval(&r, "dlq", "", "published") == dl);
        assert_true(bval(&r, "dlq", "dlq", "acked") == dl);
        expect_balance(&r, "jobs", "jobs");
        expect_balance(&r, "dlq", "dlq");
        sim_tally_add(&dead, dl / pub);
        sim_tally_add(&deliveries, bval(&r, "jobs", "jobs", "delivered") / pub);
        sim_rep_result_fini(&r);
    }
    dessa_scenario_free(sc);
    expect_in("dead-lettered fraction p^n", &dead, pow(p, n), 0);
    expect_in("deliveries per message (1-p^n)/(1-p)", &deliveries, (1 - pow(p, n)) / (1 - p), 0);
}

/* Visibility timeouts shorter than many processings: a delivery not acknowledged within 1.5 s
 * is redelivered while its processing goes on. Without idempotency, every late successful
 * acknowledgement is a duplicate, so the consumer's successful requests (counted by the
 * service, not the broker) are the acknowledged messages plus the duplicates. Idempotent
 * consumers apply each message exactly once: the requests that completed, less those that
 * found the message applied when they finished, plus none for those skipped before starting,
 * are exactly the messages. */
static const char *const VISIBILITY =
    "local idem = param('idem', false)\n"
    "local window = param('window', 300)\n"
    "local back = service 'back' { workers = 4, work = exp(1.0) }\n"
    "local jobs = queue 'jobs' { }\n"
    "subscribe(jobs, back, { consumers = 4, visibility_timeout = 1.5, idempotent = idem,\n"
    "  dedupe_window = idem and window or nil })\n"
    "local front = service 'front' { workers = 'inf', endpoint 'req' { work(exp(0.2)),\n"
    "  publish(jobs) } }\n"
    "client 'load' { target = front, arrivals = poisson(2), limit = 2000 }\n"
    "link { latency = exp(0.01) }\n"
    "run { duration = 5000 }\n";

static void test_idempotent(void **state)
{
    (void)state;
    dessa_override plain = { "idem", "false" }, idem = { "idem", "true" };
    dessa_scenario *s1 = load(VISIBILITY, &plain, 1), *s2 = load(VISIBILITY, &idem, 1);
    for (uint64_t rep = 0; rep < 5; rep++) {
        sim_rep_result a, b;
        run_rep(s1, rep, &a);
        run_rep(s2, rep, &b);
        const sim_result_kind *svc = sim_result_kind_service();
        /* plain: duplicates happen and are all seen by the consumer */
        double done = sim_entity_value(case_find(&a, svc, "back", NULL), "completed");
        assert_true(bval(&a, "jobs", "jobs", "acked") == 2000);
        assert_true(bval(&a, "jobs", "jobs", "duplicates") > 50);
        assert_true(bval(&a, "jobs", "jobs", "redelivered") > 50);
        assert_true(done == 2000 + bval(&a, "jobs", "jobs", "duplicates"));
        expect_balance(&a, "jobs", "jobs");
        /* idempotent: the same redeliveries, no duplicate applied */
        double arrived = sim_entity_value(case_find(&b, svc, "back", NULL), "arrivals");
        double completed = sim_entity_value(case_find(&b, svc, "back", NULL), "completed");
        double delivered = bval(&b, "jobs", "jobs", "delivered");
        double supp = bval(&b, "jobs", "jobs", "duplicates_suppressed");
        double skipped = delivered - arrived;   /* recognised before processing */
        printf("  rep %llu: duplicates %g without, suppressed %g (%g before processing) with\n",
               (unsigned long long)rep, bval(&a, "jobs", "jobs", "duplicates"), supp, skipped);
        assert_true(bval(&b, "jobs", "jobs", "acked") == 2000);
        assert_true(bval(&b, "jobs", "jobs", "duplicates") == 0);
        assert_true(bval(&b, "jobs", "jobs", "redelivered") > 50);
        assert_true(supp > 0 && skipped >= 0);
        assert_true(completed - (supp - skipped) == 2000);   /* applied exactly once each */
        expect_balance(&b, "jobs", "jobs");
        sim_rep_result_fini(&a);
        sim_rep_result_fini(&b);
    }
    dessa_scenario_free(s1);
    dessa_scenario_free(s2);
    /* A window far shorter than a redelivery's delay forgets every message before its repeat
     * comes: the repeats are applied again (and, as documented, not counted anywhere). */
    dessa_override brief[] = { { "idem", "true" }, { "window", "0.001" } };
    dessa_scenario *s3 = load(VISIBILITY, brief, 2);
    sim_rep_result c;
    run_rep(s3, 0, &c);
    const sim_result_kind *svc = sim_result_kind_service();
    double applied = sim_entity_value(case_find(&c, svc, "back", NULL), "completed") -
                     bval(&c, "jobs", "jobs", "duplicates_suppressed") +
                     bval(&c, "jobs", "jobs", "delivered") -
                     sim_entity_value(case_find(&c, svc, "back", NULL), "arrivals");
    printf("  window 1 ms: applied %g for 2000 messages\n", applied);
    assert_true(applied > 2050);
    sim_rep_result_fini(&c);
    dessa_scenario_free(s3);
}

/* A topic with k = 3 groups, one of which fails a third of its processings: every group still
 * gets and acknowledges every message once (k copies), the failing one after redeliveries. */
static const char *const TOPIC_FAIL =
    "local t = topic 'events' { }\n"
    "subscribe(t, service 'a' { workers = 2, work = exp(0.1) }, { consumers = 2 })\n"
    "subscribe(t, service 'b' { workers = 2, work = exp(0.1), error_rate = 0.3 },\n"
    "  { consumers = 2 })\n"
    "subscribe(t, service 'c' { workers = 2, work = exp(0.1) }, { consumers = 2,\n"
    "  delivery = 'at_most_once' })\n"
    "local front = service 'front' { workers = 'inf', endpoint 'req' { work(0.01), publish(t) } }\n"
    "client 'load' { target = front, arrivals = poisson(3), limit = 2000 }\n"
    "link { latency = exp(0.001) }\n"
    "run { duration = 3000 }\n";

static void test_topic_delivery(void **state)
{
    (void)state;
    dessa_scenario *sc = load(TOPIC_FAIL, NULL, 0);
    for (uint64_t rep = 0; rep < 5; rep++) {
        sim_rep_result r;
        run_rep(sc, rep, &r);
        const char *groups[] = { "a", "b", "c" };
        for (int i = 0; i < 3; i++) {
            assert_true(bval(&r, "events", groups[i], "published") == 2000);
            assert_true(bval(&r, "events", groups[i], "acked") == 2000);
            expect_balance(&r, "events", groups[i]);
        }
        assert_true(bval(&r, "events", "b", "redelivered") > 0);
        assert_true(bval(&r, "events", "a", "redelivered") == 0);
        assert_true(bval(&r, "events", "", "acked") == 3 * 2000);
        sim_rep_result_fini(&r);
    }
    dessa_scenario_free(sc);
}

/* Competing consumers (four, eight messages prefetched, over a link of random latency) start
 * messages out of their publish order; one consumer taking one message at a time never does. */
static const char *const ORDER =
    "local c = param('c', 4)\n"
    "local pf = param('pf', 8)\n"
    "local back = service 'back' { workers = 'inf', work = exp(0.1) }\n"
    "local jobs = queue 'jobs' { }\n"
    "subscribe(jobs, back, { consumers = c, prefetch = pf })\n"
    "local front = service 'front' { workers = 'inf', endpoint 'req' { work(0.01),\n"
    "  publish(jobs) } }\n"
    "client 'load' { target = front, arrivals = poisson(5), limit = 3000 }\n"
    "link { latency = exp(0.005) }\n"
    "run { duration = 3000 }\n";

static void test_out_of_order(void **state)
{
    (void)state;
    dessa_override one[] = { { "c", "1" }, { "pf", "1" } };
    dessa_scenario *many = load(ORDER, NULL, 0), *single = load(ORDER, one, 2);
    for (uint64_t rep = 0; rep < 5; rep++) {
        sim_rep_result a, b;
        run_rep(many, rep, &a);
        run_rep(single, rep, &b);
        printf("  rep %llu: out of order %g with 4 consumers, %g with one\n",
               (unsigned long long)rep, bval(&a, "jobs", "jobs", "out_of_order"),
               bval(&b, "jobs", "jobs", "out_of_order"));
        assert_true(bval(&a, "jobs", "jobs", "out_of_order") > 0);
        assert_true(bval(&b, "jobs", "jobs", "out_of_order") == 0);
        expect_balance(&a, "jobs", "jobs");
        expect_balance(&b, "jobs", "jobs");
        sim_rep_result_fini(&a);
        sim_rep_result_fini(&b);
    }
    dessa_scenario_free(many);
    dessa_scenario_free(single);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_mm1),     cmocka_unit_test(test_topic_copies),
        cmocka_unit_test(test_backpressure),  cmocka_unit_test(test_sync_vs_async),
        cmocka_unit_test(test_reply),         cmocka_unit_test(test_at_least_once),
        cmocka_unit_test(test_at_most_once),  cmocka_unit_test(test_dead_letter),
        cmocka_unit_test(test_idempotent),    cmocka_unit_test(test_topic_delivery),
        cmocka_unit_test(test_out_of_order),  cmocka_unit_test(test_async_tandem),
        cmocka_unit_test(test_outage_holds_messages),
        cmocka_unit_test(test_full_room_admits_deliveries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
