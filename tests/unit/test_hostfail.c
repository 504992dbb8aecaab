/* test_hostfail: failures of shared hosts (outage, crash, slowdown of a host "..." { }), against
 * independent answers.
 *
 * The statistical case runs R replications (one seed) of a synchronous chain of two services
 * whose every part alternates up and down, and compares the 99% Student t interval of the mean
 * availability seen by the client with the alternating-renewal answer computed here: A^2 when
 * the two services fail independently (each its own crash, or each on its own crashing host),
 * A when both sit on one crashing host (shared fate), A = MTTF / (MTTF + MTTR); each interval
 * must also exclude the other answer, so the test tells the two apart. Behaviour cases check
 * exact properties: an outage of a host gives each service on it the same down interval,
 * loses exactly the requests they held, as outages of each service at once would, and a
 * slowdown of a host slows every service on it. DESSA_VALIDATION_SCALE = x runs x times the
 * replications (at least 10). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scenario_case.h"
#include "validation_env.h"

#define SEED 23
#define REPS 30

static uint64_t reps = REPS;

/* The figure m of a service's only endpoint ("default"). */
static double eval_(const sim_rep_result *r, const char *svc, const char *m)
{
    return sim_entity_value(case_find(r, sim_result_kind_endpoint(), svc, "default"), m);
}

/* ---- a chain of two services: independent failures vs shared fate -------------------------- */

/* `placement`: "services" — no hosts, each service crashes on its own; "spread" — each on a
 * host of its own, each host crashing; "one_host" — both on one host that crashes. The same
 * laws everywhere: up exp(MTTF = 9 s), down exp(MTTR = 1 s). */
static const char *const CHAIN =
    "local placement = param('placement', 'spread')\n"
    "local h1 = host 'h1' { cores = 64 }\n"
    "local h2 = host 'h2' { cores = 64 }\n"
    "local on = { services = { nil, nil }, spread = { h1, h2 }, one_host = { h1, h1 } }\n"
    "local where = on[placement]\n"
    "local b = service 'b' { workers = 'inf', host = where[2], work = us(1) }\n"
    "local a = service 'a' { workers = 'inf', host = where[1],\n"
    "  endpoint 'e' { work(us(1)), call(b) } }\n"
    "local function fails(t) crash { target = t, mttf = exp(9), mttr = exp(1) } end\n"
    "if placement == 'services' then fails(a); fails(b)\n"
    "elseif placement == 'spread' then fails(h1); fails(h2)\n"
    "else fails(h1) end\n"
    "client 'user' { target = a, arrivals = poisson(10) }\n"
    "run { duration = 2000 }\n";

/* Availability seen by the client in each replication of one placement; the services' uptimes
 * (the same in every replication when they share the host). */
static void chain_case(const char *placement, sim_tally *avail, sim_tally *uptime)
{
    dessa_override ov = { "placement", placement };
    dessa_scenario *sc = case_load(CHAIN, &ov, 1, SEED);
    sim_tally_reset(avail);
    sim_tally_reset(uptime);
    for (uint64_t rep = 0; rep < reps; rep++) {
        sim_rep_result r;
        case_run(sc, SEED, rep, &r, NULL, NULL);
        double sent = fval(&r, "user", "sent"), ok = fval(&r, "user", "ok");
        double inflight = fval(&r, "user", "in_flight");
        /* every request accounted for: ok, or refused or crashed on the way */
        assert_true(ok + fval(&r, "user", "refused") + fval(&r, "user", "crashed") +
                        fval(&r, "user", "failed") + inflight == sent);
        assert_true(fval(&r, "user", "timeouts") == 0 && fval(&r, "user", "lost") == 0);
        sim_tally_add(avail, ok / (sent - inflight));
        double ua = sval(&r, "a", "uptime"), ub = sval(&r, "b", "uptime");
        if (!strcmp(placement, "one_host"))
            assert_true(ua == ub);   /* one stream: the same down intervals */
        else
            assert_true(ua != ub);   /* two streams */
        sim_tally_add(uptime, ua);
        sim_tally_add(uptime, ub);
        sim_rep_result_fini(&r);
    }
    dessa_scenario_free(sc);
}

/* The interval of t must hold `want` and exclude `other` (what the other placement gives). */
static void expect_apart(const char *what, const sim_tally *t, double other)
{
    double mean = sim_tally_mean(t), half = sim_ci_t_halfwidth(t, CASE_LEVEL);
    printf("  %-40s excludes %.5f: |%.5f - %.5f| > %.5f\n", what, other, mean, other, half);
    if (!(fabs(mean - other) > half))
        fail_msg("%s: %g is inside %g ± %g: the test cannot tell the cases apart", what, other,
                 mean, half);
}

static void test_shared_fate(void **state)
{
    (void)state;
    const double A = 9.0 / (9.0 + 1.0);
    sim_tally av, up;
    chain_case("services", &av, &up);
    expect_in("two services crashing: A^2", &av, A * A, 0);
    expect_apart("two services crashing vs A", &av, A);
    expect_in("  their uptime: A", &up, A, 0);
    chain_case("spread", &av, &up);
    expect_in("two hosts crashing: A^2", &av, A * A, 0);
    expect_apart("two hosts crashing vs A", &av, A);
    expect_in("  their services' uptime: A", &up, A, 0);
    chain_case("one_host", &av, &up);
    expect_in("one host crashing: A", &av, A, 0);
    expect_apart("one host crashing vs A^2", &av, A * A);
    expect_in("  its services' uptime: A", &up, A, 0);
}

/* ---- behaviour: an outage of a host ------------------------------------------------------- */

/* One request a second (at 0, 1, 2, ...) to front, which calls back; each takes 10 s at back
 * (an infinite server). The host holding both is down for [50.5, 60.5): at 50.5 the requests
 * that arrived at 41 ... 50 are in service at back and waiting at front (10 each), all lost
 * (crashed); the arrivals at 51 ... 60 find front down. `other`, beside them on no host, is
 * untouched. */
static const char *const OUTAGE =
    "local on_down = param('on_down', 'refuse')\n"
    "local per_service = param('per_service', false)\n"
    "local vm = host 'vm' { cores = 1000 }\n"
    "local back = service 'back' { workers = 'inf', host = vm, work = const(10) }\n"
    "local front = service 'front' { workers = 'inf', host = 'vm',\n"
    "  endpoint 'e' { call(back, { timeout = 30 }) } }\n"
    "local other = service 'other' { workers = 1, work = const(0.1) }\n"
    "if per_service then\n"
    "  outage { target = front, at = 50.5, duration = 10, on_down = on_down }\n"
    "  outage { target = back, at = 50.5, duration = 10, on_down = on_down }\n"
    "else\n"
    "  outage { target = vm, at = 50.5, duration = 10, on_down = on_down }\n"
    "end\n"
    "client 'user' { target = front, arrivals = constant(1), timeout = 30 }\n"
    "client 'side' { target = other, arrivals = constant(1) }\n"
    "run { duration = 100, sample = 1 }\n";

typedef struct down_series {
    double t[3][128], d[3][128];   /* back, front, other */
    int n[3];
} down_series;

static int keep_down(void *ud, const sim_series_row *row)
{
    static const char *const names[3] = { "back", "front", "other" };
    down_series *s = ud;
    for (int k = 0; k < 3; k++)
        if (!strcmp(row->entity, names[k]) && s->n[k] < 128) {
            s->t[k][s->n[k]] = row->time;
            s->d[k][s->n[k]++] = row->down;
        }
    return SIM_OK;
}

/* The fraction of the sample interval (t - 1, t] inside [50.5, 60.5). */
static double down_share(double t)
{
    double lo = fmax(t - 1, 50.5), hi = fmin(t, 60.5);
    return hi > lo ? hi - lo : 0;
}

static void outage_run(const char *on_down, const char *per_service, sim_rep_result *r,
                       down_series *s)
{
    dessa_override ov[2] = { { "on_down", on_down }, { "per_service", per_service } };
    dessa_scenario *sc = case_load(OUTAGE, ov, 2, SEED);
    case_run(sc, SEED, 0, r, s ? keep_down : NULL, s);
    dessa_scenario_free(sc);
}

static void test_host_outage(void **state)
{
    (void)state;
    sim_rep_result r;
    down_series s = { .n = { 0, 0, 0 } };
    outage_run("refuse", "false", &r, &s);
    /* faults.csv: the host's start and end, no replica */
    assert_int_equal(r.nfaults, 2);
    for (size_t i = 0; i < 2; i++) {
        assert_string_equal(r.faults[i].target, "vm");
        assert_string_equal(r.faults[i].kind, "outage");
        assert_true(r.faults[i].replica == -1);
        assert_true(r.faults[i].start == (i == 0));
        assert_true(r.faults[i].time == (i == 0 ? 50.5 : 60.5));
    }
    /* the same down interval for both services on the host, none for the other */
    for (int k = 0; k < 3; k++) {
        assert_int_equal(s.n[k], 100);
        for (int i = 0; i < s.n[k]; i++) {
            double want = k < 2 ? down_share(s.t[k][i]) : 0;
            if (s.d[k][i] != want)
                fail_msg("service %d at %g: down %g, expected %g", k, s.t[k][i], s.d[k][i], want);
        }
    }
    assert_true(sval(&r, "back", "uptime") == 0.9 && sval(&r, "front", "uptime") == 0.9);
    assert_true(sval(&r, "other", "uptime") == 1 && sval(&r, "other", "crashed") == 0);
    /* what each held was lost at once; the arrivals while down were refused */
    printf("  refuse: back crashed %g, front crashed %g refused %g; user crashed %g refused %g\n",
           sval(&r, "back", "crashed"), sval(&r, "front", "crashed"),
           sval(&r, "front", "refused"), fval(&r, "user", "crashed"),
           fval(&r, "user", "refused"));
    assert_true(sval(&r, "back", "crashed") == 10 && sval(&r, "front", "crashed") == 10);
    assert_true(sval(&r, "front", "refused") == 10 && sval(&r, "back", "arrivals") ==
                                                          sval(&r, "front", "arrivals") - 10);
    assert_true(fval(&r, "user", "crashed") == 10 && fval(&r, "user", "refused") == 10);
    assert_true(fval(&r, "user", "timeouts") == 0);
    assert_true(fval(&r, "user", "ok") + 20 + fval(&r, "user", "in_flight") ==
                fval(&r, "user", "sent"));
    assert_true(fval(&r, "side", "ok") + fval(&r, "side", "in_flight") ==
                fval(&r, "side", "sent"));
    sim_rep_result_fini(&r);

    /* Silent: the same 20 get no answer at all; the client's timeout (30 s) ends each. */
    outage_run("silence", "false", &r, NULL);
    printf("  silence: back lost-in-crash %g, front %g lost %g; user timeouts %g\n",
           sval(&r, "back", "crashed"), sval(&r, "front", "crashed"), sval(&r, "front", "lost"),
           fval(&r, "user", "timeouts"));
    assert_true(sval(&r, "back", "crashed") == 10 && sval(&r, "front", "crashed") == 10);
    assert_true(sval(&r, "front", "lost") == 10);
    assert_true(fval(&r, "user", "timeouts") == 20 && fval(&r, "user", "crashed") == 0 &&
                fval(&r, "user", "refused") == 0);
    sim_rep_result_fini(&r);
}

/* An outage of the host gives every output what outages of each of its services at the same
 * instant give (refused or silent): the host is its services failing together. The caller's
 * outage is declared first: the two events of the services run one after the other, and with
 * the callee's first its error answers (a hop of zero latency) would reach the callers before
 * they go down, failing them (`failed`) instead of losing them in the crash. A host takes all
 * its services down in one event: nothing moves in between. */
static void test_host_as_its_services(void **state)
{
    (void)state;
    static const char *const flows[] = { "user", "side" };
    static const char *const svcs[] = { "back", "front", "other" };
    static const char *const fm[] = { "sent", "ok", "failed", "timeouts", "refused", "crashed",
                                      "lost", "in_flight", "latency_mean" };
    static const char *const sm[] = { "arrivals", "completed", "refused", "crashed", "lost",
                                      "in_flight", "uptime", "residence_mean" };
    for (int silent = 0; silent < 2; silent++) {
        sim_rep_result h, p;
        outage_run(silent ? "silence" : "refuse", "false", &h, NULL);
        outage_run(silent ? "silence" : "refuse", "true", &p, NULL);
        for (size_t i = 0; i < 2; i++)
            for (size_t k = 0; k < sizeof fm / sizeof *fm; k++)
                assert_true(fval(&h, flows[i], fm[k]) == fval(&p, flows[i], fm[k]));
        for (size_t i = 0; i < 3; i++)
            for (size_t k = 0; k < sizeof sm / sizeof *sm; k++)
                assert_true(sval(&h, svcs[i], sm[k]) == sval(&p, svcs[i], sm[k]));
        sim_rep_result_fini(&h);
        sim_rep_result_fini(&p);
    }
}

/* ---- behaviour: a slowdown of a host, and a crash that loses many ---------------------------- */

/* Constant work of 1 s on each of two services on one host (and its cores enough for all),
 * slowed down threefold for [100, 200) of 300 s: each service's residence_max is 3 (to the
 * rounding of times in steps of 0.1 s) and its mean (200 + 300) / 300 within 0.01, as for a
 * slowdown of each; a service off the host is not slowed. */
static const char *const SLOW =
    "local vm = host 'vm' { cores = 1000 }\n"
    "service 'x' { workers = 'inf', host = vm, work = const(1) }\n"
    "service 'y' { workers = 'inf', host = vm, work = const(1) }\n"
    "service 'z' { workers = 'inf', work = const(1) }\n"
    "slowdown { target = vm, at = 100, duration = 100, factor = 3 }\n"
    "client 'cx' { target = 'x', arrivals = constant(10) }\n"
    "client 'cy' { target = 'y', arrivals = constant(10) }\n"
    "client 'cz' { target = 'z', arrivals = constant(10) }\n"
    "run { duration = 300 }\n";

static void test_host_slowdown(void **state)
{
    (void)state;
    dessa_scenario *sc = case_load(SLOW, NULL, 0, SEED);
    sim_rep_result r;
    case_run(sc, SEED, 0, &r, NULL, NULL);
    static const char *const on[] = { "x", "y" };
    for (int i = 0; i < 2; i++) {
        double mx = eval_(&r, on[i], "residence_max"), mean = eval_(&r, on[i], "residence_mean");
        printf("  %s: residence max %g mean %g\n", on[i], mx, mean);
        assert_true(fabs(mx - 3) < 1e-9);   /* arrival times of 0.1 s steps round */
        assert_true(fabs(mean - 500.0 / 300.0) < 0.01);
        assert_true(sval(&r, on[i], "uptime") == 1);
    }
    assert_true(fabs(eval_(&r, "z", "residence_max") - 1) < 1e-9);
    assert_int_equal(r.nfaults, 2);
    assert_string_equal(r.faults[0].target, "vm");
    assert_string_equal(r.faults[0].kind, "slowdown");
    sim_rep_result_fini(&r);
    dessa_scenario_free(sc);
}

/* A host holding two services with 50 001 and 100 001 requests (one in service, the rest
 * queued) goes down: exactly those are lost, and a replica of the same service on another
 * host, holding as many, loses nothing. */
static const char *const MANY =
    "local h1 = host 'h1' { cores = 1 }\n"
    "local h2 = host 'h2' { cores = 1 }\n"
    "service 'p' { workers = 1, host = h1, work = 1000 }\n"
    "service 'q' { workers = 1, host = h1, work = 1000 }\n"
    "service 'r' { workers = 1, host = h2, work = 1000 }\n"
    "client 'cp' { target = 'p', arrivals = constant(100000), limit = 50001 }\n"
    "client 'cq' { target = 'q', arrivals = constant(100000), limit = 100001 }\n"
    "client 'cr' { target = 'r', arrivals = constant(100000), limit = 100001 }\n"
    "outage { target = h1, at = 2, duration = 1 }\n"
    "run { duration = 10 }\n";

static void test_host_crash_many(void **state)
{
    (void)state;
    dessa_scenario *sc = case_load(MANY, NULL, 0, SEED);
    sim_rep_result r;
    case_run(sc, SEED, 0, &r, NULL, NULL);
    assert_true(sval(&r, "p", "crashed") == 50001 && sval(&r, "p", "in_flight") == 0);
    assert_true(sval(&r, "q", "crashed") == 100001 && sval(&r, "q", "in_flight") == 0);
    assert_true(sval(&r, "r", "crashed") == 0 && sval(&r, "r", "in_flight") == 100001);
    assert_true(fval(&r, "cp", "crashed") == 50001 && fval(&r, "cq", "crashed") == 100001);
    sim_rep_result_fini(&r);
    dessa_scenario_free(sc);
}

/* The host's failure times come from its own stream ("fault/<host>/..."): the same whatever
 * else the model holds, and whichever services it carries. */
static void test_same_host_times(void **state)
{
    (void)state;
    dessa_override ov = { "placement", "one_host" };
    dessa_scenario *a = case_load(CHAIN, &ov, 1, SEED);
    char text[4096];
    snprintf(text, sizeof text, "%s%s", CHAIN,
             "local extra = service 'extra' { workers = 2, host = h1, work = exp(0.1) }\n"
             "client 'other' { target = extra, arrivals = poisson(3) }\n"
             "crash { target = extra, mttf = exp(30), mttr = exp(1) }\n");
    dessa_scenario *b = case_load(text, &ov, 1, SEED);
    sim_rep_result ra, rb;
    case_run(a, SEED, 2, &ra, NULL, NULL);
    case_run(b, SEED, 2, &rb, NULL, NULL);
    expect_same_faults(&ra, &rb, "h1", 100);
    sim_rep_result_fini(&ra);
    sim_rep_result_fini(&rb);
    dessa_scenario_free(a);
    dessa_scenario_free(b);
}

/* ---- the ledger through host failures ------------------------------------------------------ */

/* Hosts crashing under everything at once: replicated services and consumers of a partitioned
 * topic and of a queue on them (a host's failure rebalances the groups), parallel branches,
 * non-blocking calls, sleeps, retries with timeouts, silent and refusing hosts overlapping the
 * services' own crashes, a slowdown of a host. Every run's ledger must balance (the run fails
 * otherwise) and every flow and service row add up. */
static const char *const STRESS =
    "local h1 = host 'h1' { cores = 4 }\n"
    "local h2 = host 'h2' { cores = 4, cpu = 'fcfs' }\n"
    "local db = service 'db' { workers = 3, replicas = 3, host = h2,\n"
    "  balancer = 'least_outstanding', work = exp(0.02) }\n"
    "local cache = service 'cache' { workers = 2, host = h1, work = exp(0.002) }\n"
    "local sink = service 'sink' { workers = 2, replicas = 2, host = h1, work = exp(0.01) }\n"
    "local log = topic 'log' { partitions = 4 }\n"
    "local jobs = queue 'jobs' { }\n"
    "subscribe(log, sink, { group = 'g', consumers = 2 })\n"
    "subscribe(jobs, db, { consumers = 3 })\n"
    "local api = service 'api' { workers = 16, replicas = 2, host = h1, endpoint 'get' {\n"
    "  work(0.001),\n"
    "  parallel { call(cache, { timeout = 0.03, retries = 1 }),\n"
    "             { sleep(0.002), call(db, { timeout = 0.08, retries = 2,\n"
    "               backoff = exponential_backoff(0.005), jitter = 'decorrelated',\n"
    "               blocking = false }) } },\n"
    "  publish(log, { key = keys(20) }), publish(jobs), io(0.001) } }\n"
    "crash { target = h1, mttf = exp(4), mttr = exp(0.5) }\n"
    "crash { target = h2, mttf = exp(3), mttr = exp(1), on_down = 'silence' }\n"
    "crash { target = cache, mttf = exp(5), mttr = exp(0.5) }\n"
    "outage { target = db, replica = 1, at = 20, duration = 3 }\n"
    "slowdown { target = h2, at = 5, duration = 10, factor = 4 }\n"
    "client 'users' { target = api, arrivals = poisson(40), timeout = 0.5, retries = 1 }\n"
    "run { duration = 120, warmup = 5 }\n";

static void test_host_ledger(void **state)
{
    (void)state;
    static const char *const fc[] = { "ok", "failed", "timeouts", "dropped", "refused",
                                      "crashed", "shed", "breaker_open", "rate_limited",
                                      "lost", "bulkhead", "expired", "in_flight" };
    static const char *const sc_[] = { "completed", "failed", "dropped", "timeouts", "refused",
                                       "crashed", "shed", "breaker_open", "rate_limited",
                                       "lost", "bulkhead", "expired", "in_flight" };
    static const char *const svcs[] = { "db", "cache", "sink", "api" };
    dessa_scenario *sc = case_load(STRESS, NULL, 0, SEED);
    double crashed = 0, lost = 0;
    for (uint64_t rep = 0; rep < 4; rep++) {
        sim_rep_result r;
        case_run(sc, SEED, rep, &r, NULL, NULL);   /* fails if the ledger does not balance */
        double sum = 0;
        for (size_t k = 0; k < sizeof fc / sizeof *fc; k++)
            sum += fval(&r, "users", fc[k]);
        assert_true(sum == fval(&r, "users", "sent"));
        for (size_t i = 0; i < 4; i++) {
            sum = 0;
            for (size_t k = 0; k < sizeof sc_ / sizeof *sc_; k++)
                sum += sval(&r, svcs[i], sc_[k]);
            assert_true(sum == sval(&r, svcs[i], "arrivals"));
            crashed += sval(&r, svcs[i], "crashed");
            lost += sval(&r, svcs[i], "lost");
        }
        assert_true(bval(&r, "log", "", "rebalances") > 0);
        sim_rep_result_fini(&r);
    }
    printf("  crashed %g, lost in silence %g over 4 replications\n", crashed, lost);
    assert_true(crashed > 0 && lost > 0);
    dessa_scenario_free(sc);
}

int main(void)
{
    (void)expect_balance;   /* the broker ledger of scenario_case.h: no brokers here */
    reps = (uint64_t)(REPS * validation_scale());
    if (reps < 10)
        reps = 10;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shared_fate),
        cmocka_unit_test(test_host_outage),
        cmocka_unit_test(test_host_as_its_services),
        cmocka_unit_test(test_host_slowdown),
        cmocka_unit_test(test_host_crash_many),
        cmocka_unit_test(test_same_host_times),
        cmocka_unit_test(test_host_ledger),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
