/* test_logs: partitioned topics (logs) against independent answers.
 *
 * Each case writes a small scenario and runs replications (rep = 0..R-1, one seed). Statistical
 * figures are compared through the 99% Student t interval of their mean with an answer computed
 * here from the parameters (M/M/1 formulas); exact properties (order per partition, replayed and
 * retained counts, rebalances, the ledger) are checked in every replication. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scenario_case.h"
#include "stats/hist.h"

#define LEVEL CASE_LEVEL
#define SEED 11

static dessa_scenario *load(const char *text, const dessa_override *ov, size_t nov)
{
    return case_load(text, ov, nov, SEED);
}

static void run_rep_series(dessa_scenario *sc, uint64_t rep, sim_rep_result *res,
                           sim_series_fn fn, void *ud)
{
    case_run(sc, SEED, rep, res, fn, ud);
}

static void run_rep(dessa_scenario *sc, uint64_t rep, sim_rep_result *res)
{
    case_run(sc, SEED, rep, res, NULL, NULL);
}

/* ---- order: keys and one consumer per partition, against competing consumers ------------- */

/* The same load through a topic of 4 partitions with keys (4 consumers, one per partition) or
 * through a queue with 4 competing consumers and 8 messages prefetched; links of random latency
 * and consumers that fail 10% of the time (redeliveries) in both. */
static const char *const ORDER =
    "local mode = param('mode', 'log')\n"
    "local back = service 'back' { workers = 'inf', work = exp(0.1), error_rate = 0.1 }\n"
    "local b\n"
    "if mode == 'log' then\n"
    "  b = topic 'events' { partitions = 4 }\n"
    "  subscribe(b, back, { group = 'events', consumers = 4 })\n"
    "else\n"
    "  b = queue 'events' { }\n"
    "  subscribe(b, back, { consumers = 4, prefetch = 8 })\n"
    "end\n"
    "local front = service 'front' { workers = 'inf', endpoint 'req' { work(0.01),\n"
    "  publish(b, mode == 'log' and { key = keys(50) } or nil) } }\n"
    "client 'load' { target = front, arrivals = poisson(8), limit = 4000 }\n"
    "link { latency = exp(0.005) }\n"
    "run { duration = 3000 }\n";

static void test_order(void **state)
{
    (void)state;
    dessa_override q[] = { { "mode", "queue" } };
    dessa_scenario *log = load(ORDER, NULL, 0), *queue = load(ORDER, q, 1);
    for (uint64_t rep = 0; rep < 5; rep++) {
        sim_rep_result a, b;
        run_rep(log, rep, &a);
        run_rep(queue, rep, &b);
        printf("  rep %llu: out of order %g with keyed partitions, %g with competing "
               "consumers (of %g deliveries)\n",
               (unsigned long long)rep, bval(&a, "events", "events", "out_of_order"),
               bval(&b, "events", "events", "out_of_order"),
               bval(&b, "events", "events", "delivered"));
        assert_true(bval(&a, "events", "events", "out_of_order") == 0);
        assert_true(bval(&a, "events", "events", "redelivered") > 0);
        assert_true(bval(&a, "events", "events", "acked") == 4000);
        assert_true(bval(&b, "events", "events", "out_of_order") > 0);
        expect_balance(&a, "events", "events");
        expect_balance(&b, "events", "events");
        sim_rep_result_fini(&a);
        sim_rep_result_fini(&b);
    }
    dessa_scenario_free(log);
    dessa_scenario_free(queue);
}

/* ---- P partitions, one consumer each: P independent M/M/1 queues ------------------------- */

/* Poisson publishes with a key drawn uniformly among a million for each message: each partition
 * receives an independent thinning of the stream, a Poisson stream of rate lambda / P (up to the
 * hash's share of the keys, within 0.1%). Each consumer takes one message at a time and works
 * exp(1/mu): its partition is an M/M/1 queue, sojourn mean 1 / (mu - lambda / P), p99
 * ln(100) / (mu - lambda / P), utilization lambda / (P mu). */
static const char *const MM1 =
    "local P = param('P', 8)\n"
    "local t = topic 'log' { partitions = P }\n"
    "local c = service 'c' { workers = P, work = exp(0.25) }\n"
    "subscribe(t, c, { group = 'g', consumers = P })\n"
    "local front = service 'front' { workers = 'inf', endpoint 'req' {\n"
    "  publish(t, { key = keys(1000000) }) } }\n"
    "client 'load' { target = front, arrivals = poisson(16) }\n"
    "run { duration = 10200, warmup = 200 }\n";

static void test_mm1_per_partition(void **state)
{
    (void)state;
    const double P = 8, lambda = 16, mu = 4, lp = lambda / P;
    dessa_scenario *sc = load(MM1, NULL, 0);
    sim_tally soj, soj99, util, lag;
    sim_tally_reset(&soj);
    sim_tally_reset(&soj99);
    sim_tally_reset(&util);
    sim_tally_reset(&lag);
    for (uint64_t rep = 0; rep < 10; rep++) {
        sim_rep_result r;
        run_rep(sc, rep, &r);
        sim_tally_add(&soj, bval(&r, "log", "g", "sojourn_mean"));
        sim_tally_add(&soj99, bval(&r, "log", "g", "sojourn_p99"));
        sim_tally_add(&util, bval(&r, "log", "g", "consumer_utilization"));
        sim_tally_add(&lag, bval(&r, "log", "g", "lag_mean"));
        assert_true(bval(&r, "log", "g", "out_of_order") == 0);
        sim_rep_result_fini(&r);
    }
    dessa_scenario_free(sc);
    expect_in("sojourn mean 1/(mu - lambda/P)", &soj, 1.0 / (mu - lp), 0.002);
    expect_in("sojourn p99 ln(100)/(mu - lambda/P)", &soj99, log(100.0) / (mu - lp),
              SIM_HIST_REL_ERROR + 0.002);
    expect_in("consumer utilization lambda/(P mu)", &util, lp / mu, 0.002);
    /* Little: messages in the group = P times an M/M/1's number in system rho/(1 - rho) */
    expect_in("lag (messages) P rho/(1 - rho)", &lag, P * (lp / mu) / (1 - lp / mu), 0.002);
}

/* ---- a hot key ----------------------------------------------------------------------------- */

/* Half of the messages carry one key: its partition receives at least lambda / 2 = 4 a second
 * for a consumer that processes mu = 2 a second, so its backlog grows by at least 2 a second and
 * its time-average lag is at least (lambda / 2 - mu) T / 2. The other 7 partitions share the
 * other half, about lambda / 16 = 0.5 a second each (rho = 0.25): each holds rho / (1 - rho) =
 * 1/3 of a message on average, give or take the hash's share of the keys. */
static const char *const HOT =
    "local t = topic 'log' { partitions = 8 }\n"
    "local c = service 'c' { workers = 8, work = exp(0.5) }\n"
    "subscribe(t, c, { group = 'g', consumers = 8 })\n"
    "local front = service 'front' { workers = 'inf', endpoint 'req' {\n"
    "  publish(t, { key = keys(1000, { hot = 0.5 }) }) } }\n"
    "client 'load' { target = front, arrivals = poisson(8) }\n"
    "run { duration = 2000 }\n";

static void test_hot_key(void **state)
{
    (void)state;
    const double lambda = 8, mu = 2, T = 2000;
    dessa_scenario *sc = load(HOT, NULL, 0);
    for (uint64_t rep = 0; rep < 5; rep++) {
        sim_rep_result r;
        run_rep(sc, rep, &r);
        double all = bval(&r, "log", "g", "lag_mean");
        double hot = bval(&r, "log", "g", "hot_partition_lag_mean");
        double others = (all - hot) / 7;
        printf("  rep %llu: hot partition %g lags %.1f messages on average (at least %.1f), "
               "the others %.3f each; lag %.0f s at most\n",
               (unsigned long long)rep, bval(&r, "log", "g", "hot_partition"), hot,
               (lambda / 2 - mu) * T / 2, others, bval(&r, "log", "g", "lag_seconds_max"));
        assert_true(hot >= (lambda / 2 - mu) * T / 2);
        assert_true(others < 1.0);
        /* the oldest message waits in the hot partition: its age grows with the run */
        assert_true(bval(&r, "log", "g", "lag_seconds_max") > 0.4 * T);
        expect_balance(&r, "log", "g");
        sim_rep_result_fini(&r);
    }
    dessa_scenario_free(sc);
}

/* ---- replay from the earliest offset, retention ------------------------------------------- */

/* One message a second (constant arrivals from t = 0: message k is accepted at t = k, k = 0..999);
 * a live group, a group that joins at t = 500.5 from the earliest offset and one that joins
 * then from the latest. With no retention the replaying group gets every message and processes
 * all of them; the latest group gets those of t = 501..999, 499 of them. */
static const char *const REPLAY =
    "local retention = param('retention', 0)\n"
    "local size = param('size', 0)\n"
    "local t = topic 'log' { partitions = 4, retention = retention > 0 and retention or nil,\n"
    "                        retention_size = size > 0 and size or nil }\n"
    "local c = service 'c' { workers = 'inf', work = exp(0.001) }\n"
    "subscribe(t, c, { group = 'live', consumers = 4 })\n"
    "subscribe(t, c, { group = 'replay', consumers = 2, start = 500.5, offset = 'earliest' })\n"
    "subscribe(t, c, { group = 'latest', consumers = 2, start = 500.5 })\n"
    "local front = service 'front' { workers = 'inf', endpoint 'req' { publish(t) } }\n"
    "client 'load' { target = front, arrivals = constant(1), limit = 1000 }\n"
    "run { duration = 1100 }\n";

static void test_replay(void **state)
{
    (void)state;
    dessa_scenario *sc = load(REPLAY, NULL, 0);
    sim_rep_result r;
    run_rep(sc, 0, &r);
    assert_true(bval(&r, "log", "", "published") == 1000);
    assert_true(bval(&r, "log", "live", "acked") == 1000);
    assert_true(bval(&r, "log", "replay", "published") == 1000);
    assert_true(bval(&r, "log", "replay", "acked") == 1000);
    assert_true(bval(&r, "log", "replay", "expired") == 0);
    assert_true(bval(&r, "log", "replay", "out_of_order") == 0);
    assert_true(bval(&r, "log", "latest", "published") == 499);
    assert_true(bval(&r, "log", "latest", "acked") == 499);
    /* the replaying group found 501 messages waiting, the oldest 500.5 s old */
    assert_true(fabs(bval(&r, "log", "replay", "lag_seconds_max") - 500.5) < 1e-6);
    const char *groups[] = { "live", "replay", "latest" };
    for (int i = 0; i < 3; i++)
        expect_balance(&r, "log", groups[i]);
    sim_rep_result_fini(&r);
    dessa_scenario_free(sc);
}

/* Retention by time: at t = 500.5 the replaying group finds only the messages accepted after
 * 500.5 - 200 (t = 301..500: 200 of them); the 301 older ones (t = 0..300) expired before it
 * read them. By size: of the 501 messages before its start, round robin gave partition 0 126
 * and the others 125; each keeps its last 30, so 96 + 3 * 95 = 381 expired and 120 + 499 = 619
 * are processed. The live group, which keeps up, loses nothing. */
static void test_retention(void **state)
{
    (void)state;
    dessa_override by_time[] = { { "retention", "200" } }, by_size[] = { { "size", "30" } };
    dessa_scenario *a = load(REPLAY, by_time, 1), *b = load(REPLAY, by_size, 1);
    sim_rep_result r;
    run_rep(a, 0, &r);
    printf("  by time: expired %g, replayed %g\n", bval(&r, "log", "replay", "expired"),
           bval(&r, "log", "replay", "acked"));
    assert_true(bval(&r, "log", "replay", "expired") == 301);
    assert_true(bval(&r, "log", "replay", "acked") == 699);
    assert_true(bval(&r, "log", "live", "expired") == 0);
    assert_true(bval(&r, "log", "", "expired") == 301);
    assert_true(bval(&r, "log", "replay", "lag_seconds_max") <= 200);
    expect_balance(&r, "log", "replay");
    expect_balance(&r, "log", "live");
    sim_rep_result_fini(&r);
    run_rep(b, 0, &r);
    printf("  by size: expired %g, replayed %g\n", bval(&r, "log", "replay", "expired"),
           bval(&r, "log", "replay", "acked"));
    assert_true(bval(&r, "log", "replay", "expired") == 381);
    assert_true(bval(&r, "log", "replay", "acked") == 619);
    assert_true(bval(&r, "log", "live", "expired") == 0);
    expect_balance(&r, "log", "replay");
    expect_balance(&r, "log", "live");
    sim_rep_result_fini(&r);
    dessa_scenario_free(a);
    dessa_scenario_free(b);
}

/* ---- lag in seconds, exactly ---------------------------------------------------------------- */

/* One message a second from t = 0, P partitions in turn, P consumers each stuck for ever on the
 * first message of its partition (messages 0..P-1). From t = P on the oldest buffered message
 * is message P, accepted at t = P: the lag is t - P, its time average over [0, T] is
 * (T - P)^2 / (2 T) and its largest value T - P. With P = 2 the group's oldest is the older of
 * the two partitions' heads (message 2, not message 3). With `fast`, partition 0 belongs to a
 * consumer that takes a microsecond a message (its head leaves as soon as it comes, so the
 * oldest must be looked for again among the heads) and only partition 1's is stuck: from t = 3
 * the oldest is message 3, the lag t - 3. */
static const char *const STUCK =
    "local P = param('P', 1)\n"
    "local fast = param('fast', false)\n"
    "local t = topic 'log' { partitions = P }\n"
    "if fast then\n"
    "  subscribe(t, service 'f' { workers = 1, work = 1e-6 }, { group = 'g' })\n"
    "  subscribe(t, service 'c' { workers = 1, work = 1e9 }, { group = 'g' })\n"
    "else\n"
    "  subscribe(t, service 'c' { workers = P, work = 1e9 }, { group = 'g', consumers = P })\n"
    "end\n"
    "local front = service 'front' { workers = 'inf', endpoint 'req' { publish(t) } }\n"
    "client 'load' { target = front, arrivals = constant(1) }\n"
    "run { duration = 100 }\n";

static void test_lag_seconds(void **state)
{
    (void)state;
    const double T = 100;
    for (int k = 1; k <= 3; k++) {
        int P = k == 1 ? 1 : 2, oldest = k == 3 ? 3 : P;
        char v[4];
        snprintf(v, sizeof v, "%d", P);
        dessa_override ov[] = { { "P", v }, { "fast", k == 3 ? "true" : "false" } };
        dessa_scenario *sc = load(STUCK, ov, 2);
        sim_rep_result r;
        run_rep(sc, 0, &r);
        double mean = bval(&r, "log", "g", "lag_seconds_mean");
        double max = bval(&r, "log", "g", "lag_seconds_max");
        double o = oldest;
        printf("  P = %d%s: lag seconds mean %.6f (exactly %.6f), max %.6f (exactly %.6f)\n", P,
               k == 3 ? " (one fast)" : "", mean, (T - o) * (T - o) / (2 * T), max, T - o);
        assert_true(fabs(mean - (T - o) * (T - o) / (2 * T)) < 1e-9 * T);
        assert_true(fabs(max - (T - o)) < 1e-9 * T);
        expect_balance(&r, "log", "g");
        sim_rep_result_fini(&r);
        dessa_scenario_free(sc);
    }
}

/* ---- rebalancing ----------------------------------------------------------------------------- */

/* Two consuming services in one group; 'a' is down from 300 to 400 (or, with how = 'leave', its
 * subscription leaves the group then, the service staying up). Its leaving and its return are
 * two rebalances, each a pause of 20 s during which the group delivers nothing: the sampled
 * acknowledgements (one row a second) stop from just after 300 to 320 and from 400 to 420, but
 * for the deliveries already on their way. Order per partition holds throughout. */
static const char *const REBALANCE =
    "local how = param('how', 'outage')\n"
    "local t = topic 'log' { partitions = 6, rebalance_pause = 20 }\n"
    "local a = service 'a' { workers = 3, work = exp(0.1) }\n"
    "local b = service 'b' { workers = 3, work = exp(0.1) }\n"
    "subscribe(t, a, { group = 'g', consumers = 3,\n"
    "  leave = how == 'leave' and { at = 300, duration = 100 } or nil })\n"
    "subscribe(t, b, { group = 'g', consumers = 3 })\n"
    "local front = service 'front' { workers = 'inf', endpoint 'req' {\n"
    "  publish(t, { key = keys(100) }) } }\n"
    "client 'load' { target = front, arrivals = poisson(10) }\n"
    "if how == 'outage' then outage { target = a, at = 300, duration = 100 } end\n"
    "link { latency = exp(0.002) }\n"
    "run { duration = 1000, sample = 1 }\n";

typedef struct acks {
    double paused, moving;   /* acknowledgements in pause seconds, and in the others */
    int npaused, nmoving;
} acks;

static int watch(void *ud, const sim_series_row *row)
{
    acks *k = ud;
    if (strcmp(row->entity, "log/g"))
        return SIM_OK;
    /* the second (t - 1, t]: inside a pause when it starts after the pause began + 1 s (the
     * deliveries under way finish) and ends before it is over */
    int in = (row->time >= 302 && row->time <= 320) || (row->time >= 402 && row->time <= 420);
    if (in) {
        k->paused += row->throughput;
        k->npaused++;
    } else if (row->time < 300 || row->time > 421) {
        k->moving += row->throughput;
        k->nmoving++;
    }
    return SIM_OK;
}

static void test_rebalance(void **state)
{
    (void)state;
    dessa_override leave[] = { { "how", "leave" } };
    dessa_scenario *outage = load(REBALANCE, NULL, 0), *left = load(REBALANCE, leave, 1);
    for (uint64_t rep = 0; rep < 6; rep++) {
        sim_rep_result r;
        acks k = { 0 };
        run_rep_series(rep < 3 ? outage : left, rep, &r, watch, &k);
        printf("  rep %llu (%s): %g rebalances; %.2f acks/s while paused, %.2f otherwise\n",
               (unsigned long long)rep, rep < 3 ? "outage" : "leave",
               bval(&r, "log", "g", "rebalances"), k.paused / k.npaused, k.moving / k.nmoving);
        assert_true(bval(&r, "log", "g", "rebalances") == 2);
        assert_true(bval(&r, "log", "", "rebalances") == 2);
        assert_true(k.paused == 0);
        assert_true(fabs(k.moving / k.nmoving - 10) < 1);
        assert_true(bval(&r, "log", "g", "out_of_order") == 0);
        expect_balance(&r, "log", "g");
        sim_rep_result_fini(&r);
    }
    dessa_scenario_free(outage);
    dessa_scenario_free(left);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order),     cmocka_unit_test(test_mm1_per_partition),
        cmocka_unit_test(test_hot_key),   cmocka_unit_test(test_replay),
        cmocka_unit_test(test_retention), cmocka_unit_test(test_lag_seconds),
        cmocka_unit_test(test_rebalance),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
