/* test_retry: unit tests of the retry policies (model/retry): the backoff before each retry
 * (constant, exponential, its cap), the range and mean of every jitter, and the retry budget's
 * token bucket — each against the definition, not against earlier output. */
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_without_jitter),
        cmocka_unit_test(test_full_and_equal_jitter),
        cmocka_unit_test(test_decorrelated_jitter),
        cmocka_unit_test(test_budget),
        cmocka_unit_test(test_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
