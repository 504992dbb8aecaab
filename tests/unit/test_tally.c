/* test_tally: unit tests of the mergeable summaries and time-weighted averages (stats/tally). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "stats/tally.h"

/* Deterministic test data: a large offset plus a spread, which defeats naive sum-of-squares. */
static double datum(int i)
{
    return 1e6 + 3.0 * sin(0.37 * i) + 0.01 * (i % 17);
}

static void assert_rel(double got, double want, double rel)
{
    double err = fabs(got - want) / fabs(want);
    if (!(err <= rel))
        fail_msg("got %.17g want %.17g rel err %.3g > %.3g", got, want, err, rel);
}

static void test_empty_and_small(void **state)
{
    (void)state;
    sim_tally t;
    sim_tally_reset(&t);
    assert_int_equal(t.n, 0);
    assert_true(isnan(sim_tally_mean(&t)));
    assert_true(isnan(sim_tally_var(&t)));
    assert_true(isnan(sim_tally_sd(&t)));
    assert_true(isinf(t.min) && t.min > 0 && isinf(t.max) && t.max < 0);
    sim_tally_add(&t, 4.0);
    assert_true(sim_tally_mean(&t) == 4.0);
    assert_true(isnan(sim_tally_var(&t)));
    sim_tally_add(&t, 8.0);
    assert_true(sim_tally_mean(&t) == 6.0);
    assert_true(sim_tally_var(&t) == 8.0);
    assert_true(t.min == 4.0 && t.max == 8.0);
}

static void test_welford_vs_two_pass(void **state)
{
    (void)state;
    enum { N = 10001 };
    static double x[N];
    sim_tally t;
    sim_tally_reset(&t);
    double sum = 0.0, mn = INFINITY, mx = -INFINITY;
    for (int i = 0; i < N; i++) {
        x[i] = datum(i);
        sum += x[i];
        mn = fmin(mn, x[i]);
        mx = fmax(mx, x[i]);
        sim_tally_add(&t, x[i]);
    }
    double mean = sum / N, ss = 0.0;
    for (int i = 0; i < N; i++)
        ss += (x[i] - mean) * (x[i] - mean);
    double var = ss / (N - 1);
    assert_int_equal(t.n, N);
    assert_rel(sim_tally_mean(&t), mean, 1e-14);
    assert_rel(sim_tally_var(&t), var, 1e-9);
    assert_rel(sim_tally_sd(&t), sqrt(var), 1e-9);
    assert_true(t.min == mn && t.max == mx);
}

static void test_merge_halves(void **state)
{
    (void)state;
    enum { N = 9999 };
    sim_tally whole, a, b;
    sim_tally_reset(&whole);
    sim_tally_reset(&a);
    sim_tally_reset(&b);
    for (int i = 0; i < N; i++) {
        double v = datum(i) * 1e-6 + (i < 3000 ? 5.0 : 0.0);   /* halves with different means */
        sim_tally_add(&whole, v);
        sim_tally_add(i < 3000 ? &a : &b, v);
    }
    sim_tally_merge(&a, &b);
    assert_int_equal(a.n, whole.n);
    assert_rel(a.mean, whole.mean, 1e-12);
    assert_rel(a.m2, whole.m2, 1e-12);
    assert_rel(sim_tally_var(&a), sim_tally_var(&whole), 1e-12);
    assert_true(a.min == whole.min && a.max == whole.max);

    /* empty on either side */
    sim_tally e, c = whole;
    sim_tally_reset(&e);
    sim_tally_merge(&c, &e);
    assert_memory_equal(&c, &whole, sizeof c);
    sim_tally_merge(&e, &whole);
    assert_memory_equal(&e, &whole, sizeof e);
}

static void test_tw_step_function(void **state)
{
    (void)state;
    /* value 0 on [0,2), 3 on [2,5), 1 on [5,6), 4 on [6,10]:
     * area = 0*2 + 3*3 + 1*1 + 4*4 = 26 over 10 -> 2.6 */
    sim_tw w;
    sim_tw_init(&w, 0.0, 0.0);
    assert_true(sim_tw_mean(&w, 0.0) == 0.0);
    sim_tw_set(&w, 2.0, 3.0);
    sim_tw_set(&w, 5.0, 1.0);
    sim_tw_set(&w, 6.0, 4.0);
    assert_true(fabs(sim_tw_mean(&w, 10.0) - 2.6) < 1e-15);
    assert_true(fabs(sim_tw_mean(&w, 6.0) - 10.0 / 6.0) < 1e-15);
    assert_true(w.max == 4.0);
    /* several changes at the same instant count only the last */
    sim_tw_set(&w, 10.0, 7.0);
    sim_tw_set(&w, 10.0, 2.0);
    assert_true(fabs(sim_tw_mean(&w, 12.0) - 30.0 / 12.0) < 1e-15);
    assert_true(w.max == 7.0);

    /* reset keeps the value, restarts the window and the max */
    sim_tw_reset(&w, 12.0);
    assert_true(w.max == 2.0 && w.value == 2.0);
    assert_true(sim_tw_mean(&w, 12.0) == 2.0);
    sim_tw_set(&w, 13.0, 0.0);
    assert_true(fabs(sim_tw_mean(&w, 16.0) - 0.5) < 1e-15);
    assert_true(w.max == 2.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_small),
        cmocka_unit_test(test_welford_vs_two_pass),
        cmocka_unit_test(test_merge_halves),
        cmocka_unit_test(test_tw_step_function),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
