/* test_brokerfail: failures of brokers (outages and crashes of queues and topics) and of the
 * consumer behind a bounded buffer, against independent answers.
 *
 * Each statistical case runs R replications (one seed), takes one figure per replication and
 * compares the 99% Student t interval of its mean with an answer computed here from the
 * parameters: the refusals of a Poisson stream over the time the broker was down, the M/M/1
 * queue a crash finds in the buffer of a broker that is not durable, the slope of a backlog
 * draining after an outage, and the alternating-renewal loss of a bounded buffer in front of a
 * consumer that fails (docs/validation.md derives each). Behaviour cases check exact properties
 * in every replication: the ledger, nothing lost by a durable broker, producers released.
 * DESSA_VALIDATION_SCALE = x runs x times the replications (at least 10; the sanitizer build
 * runs a tenth, still judged: the intervals are wider, the answers the same). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "scenario_case.h"
#include "validation_env.h"

#define SEED 11
#define REPS 100

static uint64_t reps = REPS;

/* n replications, scaled as reps is (at least 10). */
static int scaled(int n)
{
    uint64_t k = (uint64_t)n * reps / REPS;
    return k < 10 ? 10 : (int)k;
}

static dessa_scenario *load(const char *text)
{
    return case_load(text, NULL, 0, SEED);
}

/* Failures of the target that started in the replication (faults.csv rows). */
static double starts(const sim_rep_result *r, const char *target, const char *kind)
{
    double n = 0;
    for (size_t i = 0; i < r->nfaults; i++)
        n += r->faults[i].start && !strcmp(r->faults[i].target, target) &&
             !strcmp(r->faults[i].kind, kind);
    return n;
}

/* ---- a queue that is not durable crashing under M/M/1 load ---------------------------------- */

static const char *const CRASHING =
    "local back = service 'back' { workers = 1, work = exp(1 / 8) }\n"
    "local q = queue 'q' { durable = false }\n"
    "subscribe(q, back, { consumers = 1, prefetch = 1 })\n"
    "local front = service 'front' { workers = 'inf',\n"
    "  endpoint 'req' { publish(q, { ack = true }) } }\n"
    "client 'load' { target = front, arrivals = poisson(4) }\n"
    "crash { target = q, mttf = exp(100), mttr = exp(2) }\n"
    "run { duration = 20000 }\n";

/* Poisson publishes at 4/s, one consumer at 8/s (rho = 1/2), the queue crashing after
 * exponential up times of mean 100 s (about 50 relaxation times of the queue) for 2 s on
 * average. A crash finds the buffer as a random time does: the M/M/1 queue without the message
 * in service (prefetch 1), of mean rho^2 / (1 - rho) = 0.5; the queue is not durable, so that is
 * what each crash loses. While it is down every publish is refused: lambda times the time down
 * (uptime in brokers.csv), and each refusal fails its producer's step (cause refused). */
static void test_crash_loses_buffer(void **state)
{
    (void)state;
    const double lambda = 4, rho = 0.5;
    dessa_scenario *sc = load(CRASHING);
    sim_tally per_crash, refused;
    sim_tally_reset(&per_crash);
    sim_tally_reset(&refused);
    for (uint64_t rep = 0; rep < reps; rep++) {
        sim_rep_result r;
        case_run(sc, SEED, rep, &r, NULL, NULL);
        double crashes = starts(&r, "q", "crash"), lost = bval(&r, "q", "q", "lost");
        double down = (1 - bval(&r, "q", "", "uptime")) * 20000;
        double ref = bval(&r, "q", "", "refused");
        assert_true(crashes > 100);
        sim_tally_add(&per_crash, lost / crashes);
        sim_tally_add(&refused, ref - lambda * down);
        /* every refusal reached its producer, and nothing else failed it */
        assert_true(fval(&r, "load", "refused") == ref);
        assert_true(fval(&r, "load", "ok") + ref + fval(&r, "load", "in_flight") ==
                    fval(&r, "load", "sent"));
        assert_true(bval(&r, "q", "q", "redelivered") == 0);
        expect_balance(&r, "q", "q");
        sim_rep_result_fini(&r);
    }
    expect_in("lost per crash (rho^2/(1-rho))", &per_crash, rho * rho / (1 - rho), 0.03);
    expect_in("refused - lambda x time down", &refused, 0, 0);
    dessa_scenario_free(sc);
}

/* ---- a durable queue through an outage, with a backlog --------------------------------------- */

static const char *const BACKLOG =
    "local durable = param('durable', true)\n"
    "local back = service 'back' { workers = 1, work = exp(1 / 2) }\n"
    "local q = queue 'q' { durable = durable }\n"
    "subscribe(q, back, { consumers = 1, prefetch = 1 })\n"
    "local front = service 'front' { workers = 'inf',\n"
    "  endpoint 'req' { publish(q, { ack = true }) } }\n"
    "client 'load' { target = front, arrivals = poisson(1) }\n"
    "outage { target = back, at = 100, duration = 200 }\n"
    "outage { target = q, at = 250, duration = 30 }\n"
    "run { duration = 600, sample = 1 }\n";

typedef struct depth_series {
    double t[700], d[700];
    int n;
} depth_series;

static int keep_depth(void *ud, const sim_series_row *row)
{
    depth_series *s = ud;
    if (!strcmp(row->entity, "q") && s->n < 700) {   /* the broker's row */
        s->t[s->n] = row->time;
        s->d[s->n++] = row->queue;
    }
    return SIM_OK;
}

/* Least-squares slope of d over the samples whose time is in (lo, hi]. */
static double slope(const depth_series *s, double lo, double hi)
{
    double n = 0, st = 0, sd = 0, stt = 0, std = 0;
    for (int i = 0; i < s->n; i++) {
        if (!(s->t[i] > lo && s->t[i] <= hi))
            continue;
        n++, st += s->t[i], sd += s->d[i], stt += s->t[i] * s->t[i], std += s->t[i] * s->d[i];
    }
    return (n * std - st * sd) / (n * stt - st * st);
}

/* The consumer is down for [100, 300) and the queue itself for [250, 280): a backlog of about
 * 150 messages is in the queue when it fails. Durable, it loses none of them (lost = 0, every
 * message acknowledged or still there at the end), refuses the publishes of its 30 s down
 * (Poisson, mean 30), and after both are back the backlog drains at mu - lambda = 1 message per
 * second: the slope of the depth over [310, 430] (the backlog of about 170 is far from empty
 * then). Not durable, the same outage loses the backlog: Poisson(150) published while the
 * consumer was down, plus at most the one it had in hand, plus what was queued at 100 (M/M/1:
 * rho^2/(1-rho) = 0.5 on average) less nothing else. */
static void test_durable_outage(void **state)
{
    (void)state;
    dessa_scenario *sc = load(BACKLOG);
    sim_tally sl, refused;
    sim_tally_reset(&sl);
    sim_tally_reset(&refused);
    for (uint64_t rep = 0; rep < reps; rep++) {
        sim_rep_result r;
        depth_series s = { .n = 0 };
        case_run(sc, SEED, rep, &r, keep_depth, &s);
        assert_true(bval(&r, "q", "q", "lost") == 0);
        assert_true(bval(&r, "q", "q", "acked") + bval(&r, "q", "q", "buffered") +
                        bval(&r, "q", "q", "in_flight") == bval(&r, "q", "q", "published"));
        sim_tally_add(&sl, slope(&s, 310, 430));
        sim_tally_add(&refused, bval(&r, "q", "", "refused"));
        assert_true(fval(&r, "load", "refused") == bval(&r, "q", "", "refused"));
        expect_balance(&r, "q", "q");
        sim_rep_result_fini(&r);
    }
    expect_in("drain slope (-(mu - lambda))", &sl, -1, 0.03);
    expect_in("refused (lambda x 30 s)", &refused, 30, 0);
    dessa_scenario_free(sc);

    dessa_override ov = { "durable", "false" };
    sc = case_load(BACKLOG, &ov, 1, SEED);
    sim_tally lost;
    sim_tally_reset(&lost);
    for (uint64_t rep = 0; rep < reps; rep++) {
        sim_rep_result r;
        case_run(sc, SEED, rep, &r, NULL, NULL);
        sim_tally_add(&lost, bval(&r, "q", "q", "lost"));
        expect_balance(&r, "q", "q");
        sim_rep_result_fini(&r);
    }
    /* 150 published in [100, 250), 0.5 queued at 100, and the one in hand at 100 (probability
     * rho = 1/2) redelivered into the buffer */
    expect_in("lost by the queue that is not durable", &lost, 150 + 0.5 + 0.5, 0);
    dessa_scenario_free(sc);
}

/* ---- a bounded buffer in front of a consumer that fails (alternating renewal) ---------------- */

static const char *const RENEWAL =
    "local K = param('K', 5)\n"
    "local s = param('s', 0.001)\n"
    "local mttf = param('mttf', 50)\n"
    "local back = service 'back' { workers = 1, work = exp(s) }\n"
    "local q = queue 'q' { capacity = K, on_full = 'drop_new' }\n"
    "subscribe(q, back, { consumers = 1, prefetch = 1 })\n"
    "local front = service 'front' { workers = 'inf', endpoint 'req' { publish(q) } }\n"
    "client 'load' { target = front, arrivals = poisson(1) }\n"
    "crash { target = back, mttf = exp(mttf), mttr = exp(5) }\n"
    "run { duration = 50000 }\n";

/* The loss per down period of a buffer of K in front of a consumer that alternates up (mean
 * MTTF) and down (exponential, mean m), with Poisson publishes at lambda: the arrivals of a down
 * period are geometric, P(N >= n) = q^n with q = lambda m / (1 + lambda m); if the buffer holds
 * j when the consumer fails, the period loses E[(N - (K - j))^+] = q^(K-j+1) (1 + lambda m)
 * (j <= K), or E[N] = lambda m when j = K + 1 (the message in hand, redelivered past the
 * capacity). j is the number in the system (buffer and consumer) at a random time: the
 * M/M/1/(K+1) law, P(j) proportional to rho^j (an up time is long against the queue's
 * relaxation). The fraction of publishes lost is that divided by lambda (MTTF + m), the arrivals
 * of a cycle (docs/validation.md). */
static double renewal_loss(int K, double lambda, double mu, double mttf, double m)
{
    double q = lambda * m / (1 + lambda * m), rho = lambda / mu, z = 0, loss = 0;
    for (int j = 0; j <= K + 1; j++) {
        double p = pow(rho, j);
        z += p;
        loss += p * (j <= K ? pow(q, K - j + 1) * (1 + lambda * m) : lambda * m);
    }
    return loss / z / (lambda * (mttf + m));
}

static void renewal_case(int K, double s, double mttf, int nreps)
{
    char k[16], sv[32], mv[32], what[80];
    snprintf(k, sizeof k, "%d", K);
    snprintf(sv, sizeof sv, "%.17g", s);
    snprintf(mv, sizeof mv, "%.17g", mttf);
    dessa_override ov[3] = { { "K", k }, { "s", sv }, { "mttf", mv } };
    dessa_scenario *sc = case_load(RENEWAL, ov, 3, SEED);
    sim_tally frac;
    sim_tally_reset(&frac);
    for (int rep = 0; rep < nreps; rep++) {
        sim_rep_result r;
        case_run(sc, SEED, (uint64_t)rep, &r, NULL, NULL);
        double pub = bval(&r, "q", "q", "published"), drop = bval(&r, "q", "q", "dropped");
        assert_true(bval(&r, "q", "q", "lost") == 0);
        assert_true(bval(&r, "q", "q", "depth_max") <= K + 1);
        sim_tally_add(&frac, drop / pub);
        expect_balance(&r, "q", "q");
        sim_rep_result_fini(&r);
    }
    double expected = renewal_loss(K, 1, 1 / s, mttf, 5);
    snprintf(what, sizeof what, "fraction lost, K = %d, rho = %g", K, s);
    expect_in(what, &frac, expected, 0.01);
    dessa_scenario_free(sc);
}

/* A fast consumer (rho = 0.001: the buffer is empty when it fails, and never overflows while
 * it is up) for K = 2, 5 and 10, where the loss is q^(K+1) (1 + lambda m) / (lambda (MTTF +
 * MTTR)): 6.3%, 3.7% and 1.5%. (A slower consumer also loses while it is up, most right after
 * each recovery while the backlog drains; docs/validation.md gives the figures.) */
static void test_renewal_loss(void **state)
{
    (void)state;
    renewal_case(2, 0.001, 50, scaled(40));
    renewal_case(5, 0.001, 50, scaled(40));
    renewal_case(10, 0.001, 50, scaled(40));
}

/* ---- behaviour: topics, partitions, backpressure, silence, in-flight deliveries -------------- */

static const char *const TOPICS =
    "local durable = param('durable', false)\n"
    "local fast = service 'fast' { workers = 2, work = exp(0.1) }\n"
    "local slow = service 'slow' { workers = 1, work = exp(0.4) }\n"
    "local t = topic 't' { durable = durable }\n"
    "subscribe(t, fast, { group = 'f', consumers = 2 })\n"
    "subscribe(t, slow, { group = 's', consumers = 1, visibility_timeout = 5 })\n"
    "local log = topic 'log' { partitions = 8, durable = durable }\n"
    "subscribe(log, fast, { group = 'a', consumers = 2 })\n"
    "subscribe(log, slow, { group = 'b', consumers = 3, delivery = 'at_most_once' })\n"
    "local front = service 'front' { workers = 'inf',\n"
    "  endpoint 'req' { publish(t), publish(log, { key = keys(50) }) } }\n"
    "client 'load' { target = front, arrivals = poisson(1) }\n"
    "crash { target = t, mttf = exp(60), mttr = exp(3) }\n"
    "crash { target = 'log', mttf = exp(40), mttr = exp(2) }\n"
    "run { duration = 3000 }\n";

/* Two groups of a topic and two of a partitioned one, both crashing. Not durable, each group
 * loses its own buffer (the slow groups more: they keep more), the broker's lost is the sum of
 * its groups', and every message is accounted for per group. Durable, nothing is lost, the
 * deliveries a failure caught are redelivered (at least once), and the ledger holds. */
static void test_topics_fail(void **state)
{
    (void)state;
    const char *const groups[2][2] = { { "f", "s" }, { "a", "b" } };
    const char *const brokers[2] = { "t", "log" };
    for (int durable = 0; durable < 2; durable++) {
        dessa_override ov = { "durable", durable ? "true" : "false" };
        dessa_scenario *sc = case_load(TOPICS, &ov, 1, SEED);
        double slow_lost = 0, fast_lost = 0, redelivered = 0;
        for (uint64_t rep = 0; rep < 5; rep++) {
            sim_rep_result r;
            case_run(sc, SEED, rep, &r, NULL, NULL);
            for (int b = 0; b < 2; b++) {
                double sum = 0;
                for (int g = 0; g < 2; g++) {
                    expect_balance(&r, brokers[b], groups[b][g]);
                    sum += bval(&r, brokers[b], groups[b][g], "lost");
                }
                assert_true(bval(&r, brokers[b], "", "lost") == sum);
                assert_true(bval(&r, brokers[b], "", "refused") > 0);
            }
            fast_lost += bval(&r, "t", "f", "lost");
            slow_lost += bval(&r, "t", "s", "lost");
            redelivered += bval(&r, "t", "s", "redelivered") + bval(&r, "log", "a", "redelivered");
            if (durable) {
                assert_true(bval(&r, "t", "", "lost") == 0);
                assert_true(bval(&r, "log", "", "lost") == 0);
            }
            sim_rep_result_fini(&r);
        }
        printf("  durable %d: lost fast %g, slow %g; redelivered %g\n", durable, fast_lost,
               slow_lost, redelivered);
        if (!durable)
            assert_true(slow_lost > fast_lost && slow_lost > 0);
        else
            assert_true(redelivered > 0);
        dessa_scenario_free(sc);
    }
}

static const char *const BLOCKED =
    "local back = service 'back' { workers = 1, work = const(0.5) }\n"
    "local q = queue 'q' { capacity = 5, on_full = 'block' }\n"
    "subscribe(q, back, { consumers = 1 })\n"
    "local front = service 'front' { workers = 'inf', endpoint 'req' { publish(q) } }\n"
    "client 'load' { target = front, arrivals = poisson(4) }\n"
    "outage { target = q, at = 50, duration = 10 }\n"
    "run { duration = 100 }\n";

/* A full queue holding its producers (backpressure) fails: each blocked producer is released at
 * once with cause crashed; while it is down the others are refused. */
static void test_blocked_released(void **state)
{
    (void)state;
    dessa_scenario *sc = load(BLOCKED);
    for (uint64_t rep = 0; rep < 3; rep++) {
        sim_rep_result r;
        case_run(sc, SEED, rep, &r, NULL, NULL);
        double crashed = fval(&r, "load", "crashed"), refused = fval(&r, "load", "refused");
        printf("  crashed %g, refused %g\n", crashed, refused);
        assert_true(crashed > 10);   /* arrivals at 4/s, served at 2/s: many were blocked */
        assert_true(refused > 20 && refused < 70);
        assert_true(crashed + refused == bval(&r, "q", "", "refused"));
        assert_true(bval(&r, "q", "q", "lost") == 0);
        expect_balance(&r, "q", "q");
        sim_rep_result_fini(&r);
    }
    dessa_scenario_free(sc);
}

static const char *const SILENT =
    "local back = service 'back' { workers = 1, work = exp(0.1) }\n"
    "local q = queue 'q' { }\n"
    "subscribe(q, back, { consumers = 1 })\n"
    "local front = service 'front' { workers = 'inf',\n"
    "  endpoint 'req' { publish(q, { ack = true, timeout = 0.5 }) } }\n"
    "client 'load' { target = front, arrivals = poisson(3) }\n"
    "outage { target = q, at = 20, duration = 10, on_down = 'silence' }\n"
    "run { duration = 60 }\n";

/* A broker down without answering: the publishes that wait for its acknowledgement end by their
 * timeout (cause timeout), one for each publish it did not accept. */
static void test_silent_broker(void **state)
{
    (void)state;
    dessa_scenario *sc = load(SILENT);
    for (uint64_t rep = 0; rep < 3; rep++) {
        sim_rep_result r;
        case_run(sc, SEED, rep, &r, NULL, NULL);
        double to = fval(&r, "load", "timeouts"), ref = bval(&r, "q", "", "refused");
        printf("  timeouts %g, refused by the broker %g\n", to, ref);
        assert_true(ref > 10 && to == ref && fval(&r, "load", "refused") == 0);
        expect_balance(&r, "q", "q");
        sim_rep_result_fini(&r);
    }
    dessa_scenario_free(sc);
}

static const char *const INFLIGHT =
    "local durable = param('durable', true)\n"
    "local back = service 'back' { workers = 1, work = const(3) }\n"
    "local q = queue 'q' { durable = durable }\n"
    "subscribe(q, back, { consumers = 1, prefetch = 1 })\n"
    "local front = service 'front' { workers = 'inf', endpoint 'req' { publish(q) } }\n"
    "client 'load' { target = front, arrivals = constant(0.2) }\n"
    "outage { target = q, at = 11, duration = 1 }\n"
    "run { duration = 100 }\n";

/* One message every 5 s, each processed for 3 s, the queue down for [11, 12): the delivery in
 * hand then (of the message published at 10) is acknowledged at 13, after the failure. Durable,
 * the broker had requeued it: it is processed again (redelivered 1, duplicates 1), nothing is
 * lost. Not durable, the broker forgot it: its processing stands (acked), nothing is redelivered
 * and, the buffer being empty when it failed, nothing is lost. */
static void test_inflight_delivery(void **state)
{
    (void)state;
    for (int durable = 0; durable < 2; durable++) {
        dessa_override ov = { "durable", durable ? "true" : "false" };
        dessa_scenario *sc = case_load(INFLIGHT, &ov, 1, SEED);
        sim_rep_result r;
        case_run(sc, SEED, 0, &r, NULL, NULL);
        printf("  durable %d: published %g acked %g redelivered %g duplicates %g lost %g\n",
               durable, bval(&r, "q", "q", "published"), bval(&r, "q", "q", "acked"),
               bval(&r, "q", "q", "redelivered"), bval(&r, "q", "q", "duplicates"),
               bval(&r, "q", "q", "lost"));
        assert_true(bval(&r, "q", "q", "redelivered") == durable);
        assert_true(bval(&r, "q", "q", "duplicates") == durable);
        assert_true(bval(&r, "q", "q", "lost") == 0);
        expect_balance(&r, "q", "q");
        sim_rep_result_fini(&r);
        dessa_scenario_free(sc);
    }
}

/* The same broker's failure times whatever else the model holds (its stream is named by the
 * broker and the fault's rank among the faults of that broker): a model with a synchronous path
 * and another failing service beside it sees the queue fail at the same instants. */
static void test_same_failure_times(void **state)
{
    (void)state;
    dessa_scenario *a = load(CRASHING);
    char text[2048];
    snprintf(text, sizeof text, "%s%s", CRASHING,
             "local extra = service 'extra' { workers = 2, work = exp(0.1) }\n"
             "local gate = service 'gate' { workers = 4, endpoint 'x' { call(extra) } }\n"
             "client 'other' { target = gate, arrivals = poisson(3) }\n"
             "crash { target = extra, mttf = exp(30), mttr = exp(1) }\n");
    dessa_scenario *b = load(text);
    sim_rep_result ra, rb;
    case_run(a, SEED, 3, &ra, NULL, NULL);
    case_run(b, SEED, 3, &rb, NULL, NULL);
    expect_same_faults(&ra, &rb, "q", 100);
    sim_rep_result_fini(&ra);
    sim_rep_result_fini(&rb);
    dessa_scenario_free(a);
    dessa_scenario_free(b);
}

/* ---- publishes lost on links ----------------------------------------------------------------- */

static const char *const LOSSY =
    "local back = service 'back' { workers = 1, work = exp(0.1) }\n"
    "local q = queue 'q' { }\n"
    "subscribe(q, back, { consumers = 1 })\n"
    "local front = service 'front' { workers = 'inf',\n"
    "  endpoint 'req' { publish(q, { ack = true, timeout = 0.5 }) } }\n"
    "client 'load' { target = front, arrivals = poisson(5) }\n"
    "link { from = front, to = q, loss = 0.1 }\n"
    "partition { between = { front, q }, at = 1000, duration = 50 }\n"
    "run { duration = 3000 }\n";

/* A link from the producer to the queue that loses each crossing with probability p = 0.1, and a
 * partition of the two for 50 s. A publish is lost on its way (the broker's `link_lost`) with
 * probability p outside the partition and always inside it: p (T - 50) lambda + 50 lambda on
 * average. A publish waiting for the acknowledgement fails by its timeout when the publish or
 * the answer is lost: outside the partition with probability 1 - (1 - p)^2 = 0.19. Deliveries
 * and acknowledgements cross: every accepted message is acknowledged. */
static void test_lossy_publish(void **state)
{
    (void)state;
    const double lambda = 5, p = 0.1, T = 3000, cut = 50;
    dessa_scenario *sc = load(LOSSY);
    sim_tally lost, to;
    sim_tally_reset(&lost);
    sim_tally_reset(&to);
    uint64_t n = reps / 5 > 5 ? reps / 5 : 5;
    for (uint64_t rep = 0; rep < n; rep++) {
        sim_rep_result r;
        case_run(sc, SEED, rep, &r, NULL, NULL);
        sim_tally_add(&lost, bval(&r, "q", "", "link_lost"));
        sim_tally_add(&to, fval(&r, "load", "timeouts"));
        assert_true(bval(&r, "q", "q", "lost") == 0 && bval(&r, "q", "", "refused") == 0);
        assert_true(bval(&r, "q", "q", "published") ==
                    bval(&r, "q", "q", "acked") + bval(&r, "q", "q", "buffered") +
                        bval(&r, "q", "q", "in_flight"));
        assert_true(fval(&r, "load", "ok") + fval(&r, "load", "timeouts") +
                        fval(&r, "load", "in_flight") == fval(&r, "load", "sent"));
        expect_balance(&r, "q", "q");
        sim_rep_result_fini(&r);
    }
    expect_in("publishes lost on the link", &lost, lambda * (p * (T - cut) + cut), 0);
    expect_in("publishes timed out", &to, lambda * ((1 - (1 - p) * (1 - p)) * (T - cut) + cut),
              0);
    dessa_scenario_free(sc);
}

int main(void)
{
    reps = (uint64_t)(REPS * validation_scale());
    if (reps < 10)
        reps = 10;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crash_loses_buffer),
        cmocka_unit_test(test_durable_outage),
        cmocka_unit_test(test_renewal_loss),
        cmocka_unit_test(test_topics_fail),
        cmocka_unit_test(test_blocked_released),
        cmocka_unit_test(test_silent_broker),
        cmocka_unit_test(test_inflight_delivery),
        cmocka_unit_test(test_same_failure_times),
        cmocka_unit_test(test_lossy_publish),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
