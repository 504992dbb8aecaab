/* test_retry: unit tests of the retry policies (model/retry): the backoff before each retry
 * (constant, exponential, its cap), the range and mean of every jitter, and the retry budget's
 * token bucket — each against the definition, not against earlier output; and the circuit
 * breaker's state machine (docs/model.md, "Circuit breakers") step by step. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/error.h"
#include "model/retry.h"

static sim_retry policy(sim_backoff b, double base, double cap, sim_jitter j)
{
    sim_retry p;
    memset(&p, 0, sizeof p);
    p.cfg.retries = 10;
    p.cfg.backoff = b;
    p.cfg.base = base;
    p.cfg.cap = cap;
    p.cfg.jitter = j;
    sim_rng_init(&p.rng, 1, 0, "test/retry");
    return p;
}

static void test_backoff_without_jitter(void **state)
{
    (void)state;
    double prev = 0;
    sim_retry c = policy(SIM_BACKOFF_CONSTANT, 0.25, 0, SIM_JITTER_NONE);
    for (uint32_t k = 1; k <= 5; k++)
        assert_true(sim_retry_delay(&c, k, &prev) == 0.25);
    sim_retry x = policy(SIM_BACKOFF_EXPONENTIAL, 0.01, 0.1, SIM_JITTER_NONE);
    const double want[] = { 0.01, 0.02, 0.04, 0.08, 0.1, 0.1 };
    for (uint32_t k = 1; k <= 6; k++)
        assert_true(sim_retry_delay(&x, k, &prev) == want[k - 1]);
    sim_retry u = policy(SIM_BACKOFF_EXPONENTIAL, 1, 0, SIM_JITTER_NONE);   /* no cap */
    assert_true(sim_retry_delay(&u, 11, &prev) == 1024);
    assert_true(isfinite(sim_retry_delay(&u, 5000, &prev)));   /* huge k: no overflow trap */
    sim_retry n = policy(SIM_BACKOFF_NONE, 1, 0, SIM_JITTER_FULL);
    assert_true(sim_retry_delay(&n, 3, &prev) == 0);
}

/* Full: uniform on [0, b], mean b/2; equal: uniform on [b/2, b], mean 3b/4. */
static void test_full_and_equal_jitter(void **state)
{
    (void)state;
    const int n = 200000;
    const sim_jitter js[] = { SIM_JITTER_FULL, SIM_JITTER_EQUAL };
    const double lo[] = { 0, 0.04 }, mean[] = { 0.04, 0.06 };
    for (int t = 0; t < 2; t++) {
        sim_retry p = policy(SIM_BACKOFF_EXPONENTIAL, 0.01, 0, js[t]);
        double sum = 0, prev = 0;
        for (int i = 0; i < n; i++) {
            double d = sim_retry_delay(&p, 4, &prev);   /* b = 0.08 */
            assert_true(d >= lo[t] && d <= 0.08);
            sum += d;
        }
        /* the standard error of a uniform mean: width / sqrt(12 n) */
        double width = 0.08 - lo[t], se = width / sqrt(12.0 * n);
        assert_true(fabs(sum / n - mean[t]) < 5 * se);
    }
}

/* Decorrelated: uniform on [base, 3 * previous], capped; the first previous is base. */
static void test_decorrelated_jitter(void **state)
{
    (void)state;
    sim_retry p = policy(SIM_BACKOFF_EXPONENTIAL, 0.01, 0.5, SIM_JITTER_DECORRELATED);
    for (int r = 0; r < 20000; r++) {
        double prev = 0, last = 0.01;
        for (uint32_t k = 1; k <= 8; k++) {
            double d = sim_retry_delay(&p, k, &prev);
            assert_true(d >= 0.01 && d <= fmin(0.5, 3 * last) + 1e-15);
            assert_true(prev == d);
            last = d;
        }
    }
    /* The first retry's mean: base + (3 base - base) / 2 = 2 base. */
    double sum = 0, prev = 0;
    for (int i = 0; i < 100000; i++)
        sum += sim_retry_delay(&p, 1, &prev);
    assert_true(fabs(sum / 100000 - 0.02) < 5 * 0.02 / sqrt(12.0 * 100000));
}

/* The budget: each first attempt adds `budget` tokens (at most 10 + budget), a retry takes one. */
static void test_budget(void **state)
{
    (void)state;
    sim_retry p = policy(SIM_BACKOFF_NONE, 0, 0, SIM_JITTER_NONE);
    p.cfg.budget = 0.1;
    uint64_t made = 0;
    for (int i = 0; i < 1000; i++) {
        sim_retry_first(&p);
        for (int k = 0; k < 3; k++)   /* every attempt fails and wants 3 retries */
            made += (uint64_t)sim_retry_allowed(&p);
    }
    assert_true(made >= 99 && made <= 100);   /* 1000 x 0.1, rounding of the sums */
    assert_true(p.refused == 3000 - made);
    /* The bucket holds at most 10 + budget: a long quiet spell buys a burst of 10. */
    sim_retry q = policy(SIM_BACKOFF_NONE, 0, 0, SIM_JITTER_NONE);
    q.cfg.budget = 0.5;
    for (int i = 0; i < 1000; i++)
        sim_retry_first(&q);
    made = 0;
    for (int k = 0; k < 100; k++)
        made += (uint64_t)sim_retry_allowed(&q);
    assert_int_equal(made, 10);
    sim_retry none = policy(SIM_BACKOFF_NONE, 0, 0, SIM_JITTER_NONE);   /* no budget */
    for (int k = 0; k < 100; k++)
        assert_true(sim_retry_allowed(&none));
}

static void test_check(void **state)
{
    (void)state;
    sim_retry p = policy(SIM_BACKOFF_EXPONENTIAL, 0.01, 1, SIM_JITTER_FULL);
    assert_int_equal(sim_retry_check(&p.cfg), SIM_OK);
    p.cfg.retries = SIM_RETRIES_MAX + 1;
    assert_int_equal(sim_retry_check(&p.cfg), SIM_EINVAL);
    p.cfg.retries = 1;
    p.cfg.timeout = -1;
    assert_int_equal(sim_retry_check(&p.cfg), SIM_EINVAL);
    p.cfg.timeout = NAN;
    assert_int_equal(sim_retry_check(&p.cfg), SIM_EINVAL);
    p.cfg.timeout = 1;
    p.cfg.jitter = (sim_jitter)7;
    assert_int_equal(sim_retry_check(&p.cfg), SIM_EINVAL);
}


static sim_breaker breaker(uint32_t failures, double open_for, uint32_t probes)
{
    sim_breaker b;
    memset(&b, 0, sizeof b);
    b.cfg.failures = failures;
    b.cfg.open_for = open_for;
    b.cfg.probes = probes;
    b.on = 1;
    return b;
}

static void test_breaker_check(void **state)
{
    (void)state;
    sim_breaker_config c = { .failures = 5, .open_for = 30, .probes = 1 };
    assert_int_equal(sim_breaker_check(&c), SIM_OK);
    c.failures = 0;
    assert_int_equal(sim_breaker_check(&c), SIM_EINVAL);
    c.failures = SIM_BREAKER_MAX + 1;
    assert_int_equal(sim_breaker_check(&c), SIM_EINVAL);
    c = (sim_breaker_config){ .failures = 5, .open_for = 0, .probes = 1 };
    assert_int_equal(sim_breaker_check(&c), SIM_EINVAL);
    c.open_for = INFINITY;
    assert_int_equal(sim_breaker_check(&c), SIM_EINVAL);
    c.open_for = NAN;
    assert_int_equal(sim_breaker_check(&c), SIM_EINVAL);
    c = (sim_breaker_config){ .failures = 5, .open_for = 30, .probes = 0 };
    assert_int_equal(sim_breaker_check(&c), SIM_EINVAL);
}

/* Closed: F consecutive failures open it; a success in between starts the count again. */
static void test_breaker_opens(void **state)
{
    (void)state;
    sim_breaker b = breaker(3, 10, 1);
    uint32_t t;
    for (int i = 0; i < 2; i++) {
        t = sim_breaker_admit(&b, 1, 0);
        assert_true(t != 0);
        sim_breaker_result(&b, t, 0, 1, 0);
    }
    t = sim_breaker_admit(&b, 1, 0);
    sim_breaker_result(&b, t, 1, 1, 0);   /* a success: the count is back to 0 */
    for (int i = 0; i < 2; i++) {
        t = sim_breaker_admit(&b, 2, 0);
        sim_breaker_result(&b, t, 0, 2, 0);
    }
    assert_int_equal(b.state, SIM_BREAKER_CLOSED);
    t = sim_breaker_admit(&b, 2, 0);
    sim_breaker_result(&b, t, 0, 2.5, 0);
    assert_int_equal(b.state, SIM_BREAKER_OPEN);
    assert_int_equal(b.opens, 1);
    /* open until 12.5: refused; from 12.5 one probe; the next refused while it runs */
    assert_int_equal(sim_breaker_admit(&b, 12.4, 0), 0);
    uint32_t probe = sim_breaker_admit(&b, 12.5, 0);
    assert_true(probe != 0);
    assert_int_equal(b.state, SIM_BREAKER_HALF);
    assert_int_equal(sim_breaker_admit(&b, 12.6, 0), 0);
    sim_breaker_result(&b, probe, 0, 13, 0);   /* failed: open again until 23 */
    assert_int_equal(b.state, SIM_BREAKER_OPEN);
    assert_int_equal(b.opens, 2);
    assert_int_equal(sim_breaker_admit(&b, 22.9, 0), 0);
    probe = sim_breaker_admit(&b, 23, 0);
    assert_true(probe != 0);
    sim_breaker_result(&b, probe, 1, 23.1, 0);   /* succeeded: closed */
    assert_int_equal(b.state, SIM_BREAKER_CLOSED);
    assert_int_equal(b.opens, 2);
    assert_true(sim_breaker_admit(&b, 23.2, 0) != 0);
}

/* An answer from an earlier state changes nothing: a call sent while closed that fails after
 * the breaker opened, or succeeds while it is half-open, is not a probe. */
static void test_breaker_late_answers(void **state)
{
    (void)state;
    sim_breaker b = breaker(1, 10, 1);
    uint32_t early = sim_breaker_admit(&b, 0, 0), first = sim_breaker_admit(&b, 0, 0);
    sim_breaker_result(&b, first, 0, 1, 0);   /* opens at 1 */
    assert_int_equal(b.state, SIM_BREAKER_OPEN);
    sim_breaker_result(&b, early, 0, 2, 0);   /* late: it stays open until 11, opened once */
    assert_int_equal(b.opens, 1);
    assert_int_equal(sim_breaker_admit(&b, 10.9, 0), 0);
    uint32_t probe = sim_breaker_admit(&b, 11, 0);
    assert_true(probe != 0);
    sim_breaker_result(&b, early, 1, 11.5, 0);   /* a late success is not the probe's */
    assert_int_equal(b.state, SIM_BREAKER_HALF);
    sim_breaker_result(&b, probe, 0, 12, 0);
    assert_int_equal(b.state, SIM_BREAKER_OPEN);
    assert_int_equal(b.opens, 2);
}

/* Half-open lets exactly `probes` through; if none answers for open_for (their callers were
 * lost), new probes go. Openings before the warm-up are not in the window's count. */
static void test_breaker_probes(void **state)
{
    (void)state;
    sim_breaker b = breaker(1, 5, 2);
    sim_breaker_result(&b, sim_breaker_admit(&b, 0, 10), 0, 0, 10);
    assert_int_equal(b.opens, 1);
    assert_int_equal(b.opens_win, 0);
    assert_true(sim_breaker_admit(&b, 5, 10) != 0);
    assert_true(sim_breaker_admit(&b, 5, 10) != 0);
    assert_int_equal(sim_breaker_admit(&b, 6, 10), 0);
    assert_int_equal(sim_breaker_admit(&b, 9.9, 10), 0);
    uint32_t again = sim_breaker_admit(&b, 10, 10);   /* nobody answered: new probes */
    assert_true(again != 0);
    sim_breaker_result(&b, again, 0, 10.5, 10);
    assert_int_equal(b.opens, 2);
    assert_int_equal(b.opens_win, 1);
}

/* One attempt at time t with outcome ok through b; returns whether b is open afterwards. */
static int attempt_at(sim_breaker *b, double t, int ok)
{
    uint32_t k = sim_breaker_admit(b, t, 0);
    if (k)
        sim_breaker_result(b, k, ok, t, 0);
    return b->state == SIM_BREAKER_OPEN;
}

/* Failure-rate mode, count-based: the last 4 attempts, at least 4 of them, half failed opens
 * it; fewer than min_calls never do; the oldest leaves the window; closing empties it. */
static void test_breaker_rate_count(void **state)
{
    (void)state;
    sim_breaker_config c = { .open_for = 10, .probes = 1, .rate = 0.5, .window = 4,
                             .min_calls = 4 };
    assert_int_equal(sim_breaker_check(&c), SIM_OK);
    sim_breaker b;
    memset(&b, 0, sizeof b);
    assert_int_equal(sim_breaker_init(&b, &c), SIM_OK);
    assert_false(attempt_at(&b, 1, 0));   /* F: 1 call, below min_calls */
    assert_false(attempt_at(&b, 1, 0));   /* F F */
    assert_false(attempt_at(&b, 1, 0));   /* F F F */
    assert_true(attempt_at(&b, 1, 1));    /* F F F S: 3/4 >= 0.5 */
    assert_int_equal(b.opens, 1);
    assert_int_equal(sim_breaker_admit(&b, 5, 0), 0);
    uint32_t k = sim_breaker_admit(&b, 11, 0);   /* half-open: a probe */
    assert_true(k != 0);
    sim_breaker_result(&b, k, 1, 11, 0);          /* closes, with an empty window */
    assert_int_equal(b.state, SIM_BREAKER_CLOSED);
    assert_int_equal(b.w.calls, 0);
    assert_false(attempt_at(&b, 12, 1));   /* S */
    assert_false(attempt_at(&b, 12, 1));   /* S S */
    assert_false(attempt_at(&b, 12, 1));   /* S S S */
    assert_false(attempt_at(&b, 12, 0));   /* S S S F: 1/4 */
    assert_false(attempt_at(&b, 12, 1));   /* S S F S: 1/4 */
    assert_true(attempt_at(&b, 12, 0));    /* S F S F: 2/4 */
    sim_breaker_fini(&b);
    c.min_calls = 5;   /* more than the window */
    assert_int_equal(sim_breaker_check(&c), SIM_EINVAL);
    c.min_calls = 4;
    c.failures = 3;   /* both modes */
    assert_int_equal(sim_breaker_check(&c), SIM_EINVAL);
    c.failures = 0;
    c.rate = 1.5;
    assert_int_equal(sim_breaker_check(&c), SIM_EINVAL);
    c.rate = 0.5;
    c.window_time = 10;   /* both windows */
    assert_int_equal(sim_breaker_check(&c), SIM_EINVAL);
}

/* Failure-rate mode, time-based: 10 s in slices of 1 s; failures 10 s old have left. */
static void test_breaker_rate_time(void **state)
{
    (void)state;
    sim_breaker_config c = { .open_for = 5, .probes = 1, .rate = 0.5, .window_time = 10,
                             .min_calls = 3 };
    assert_int_equal(sim_breaker_check(&c), SIM_OK);
    sim_breaker b;
    memset(&b, 0, sizeof b);
    assert_int_equal(sim_breaker_init(&b, &c), SIM_OK);
    for (int i = 0; i < 4; i++)
        assert_false(attempt_at(&b, 0.5, 1));   /* slice 0: 4 S */
    assert_false(attempt_at(&b, 1.5, 0));       /* slice 1: F (1 of 5) */
    assert_false(attempt_at(&b, 1.6, 0));       /* 2 of 6 */
    assert_false(attempt_at(&b, 9.9, 1));       /* slice 9: 2 of 7 */
    assert_int_equal(b.w.calls, 7);
    assert_true(attempt_at(&b, 10.5, 1));       /* slice 0 has left: 2 F of 4 */
    assert_int_equal(b.w.calls, 4);
    assert_int_equal(b.w.fails, 2);
    sim_breaker_fini(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_without_jitter),
        cmocka_unit_test(test_full_and_equal_jitter),
        cmocka_unit_test(test_decorrelated_jitter),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_breaker_check),
        cmocka_unit_test(test_breaker_opens),
        cmocka_unit_test(test_breaker_late_answers),
        cmocka_unit_test(test_breaker_probes),
        cmocka_unit_test(test_breaker_rate_count),
        cmocka_unit_test(test_breaker_rate_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
