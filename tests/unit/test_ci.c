/* test_ci: unit tests of the Student t and batch-means confidence intervals (stats/ci). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "core/error.h"
#include "stats/ci.h"

static void test_t_table(void **state)
{
    (void)state;
    /* published two-sided 95% critical values t_{df, 0.975} */
    assert_true(fabs(sim_ci_t_crit(10, 0.95) - 2.262157) < 5e-7);
    assert_true(fabs(sim_ci_t_crit(5, 0.95) - 2.776445) < 5e-7);
    assert_true(fabs(sim_ci_t_crit(30, 0.95) - 2.045230) < 5e-7);
    assert_true(fabs(sim_ci_t_crit(2, 0.95) - 12.706205) < 5e-6);
    assert_true(fabs(sim_ci_t_crit(10, 0.99) - 3.249836) < 5e-7);
    assert_true(isnan(sim_ci_t_crit(1, 0.95)));
    assert_true(isnan(sim_ci_t_crit(10, 0.0)));
    assert_true(isnan(sim_ci_t_crit(10, 1.0)));
    assert_true(isnan(sim_ci_t_crit(10, NAN)));
}

static void test_halfwidth(void **state)
{
    (void)state;
    sim_tally t;
    sim_tally_reset(&t);
    assert_true(isnan(sim_ci_t_halfwidth(&t, 0.95)));
    sim_tally_add(&t, 1.0);
    assert_true(isnan(sim_ci_t_halfwidth(&t, 0.95)));
    /* 1..10: sd = sqrt(55/6) */
    for (int i = 2; i <= 10; i++)
        sim_tally_add(&t, i);
    double want = 2.262157 * sqrt(55.0 / 6.0) / sqrt(10.0);
    assert_true(fabs(sim_ci_t_halfwidth(&t, 0.95) - want) < 1e-6);
    assert_true(isnan(sim_ci_t_halfwidth(&t, 1.5)));
}

static void test_coverage(void **state)
{
    (void)state;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    assert_non_null(r);
    gsl_rng_set(r, 12345);
    const double mu = 3.0;
    int covered = 0;
    const int reps = 2000;
    for (int k = 0; k < reps; k++) {
        sim_tally t;
        sim_tally_reset(&t);
        for (int i = 0; i < 10; i++)
            sim_tally_add(&t, mu + gsl_ran_gaussian(r, 2.0));
        double h = sim_ci_t_halfwidth(&t, 0.95);
        if (fabs(t.mean - mu) <= h)
            covered++;
    }
    gsl_rng_free(r);
    double cov = (double)covered / reps;
    print_message("95%% t-interval coverage over %d replications of 10: %.4f\n", reps, cov);
    assert_true(cov >= 0.93 && cov <= 0.97);
}

static void test_batch_means(void **state)
{
    (void)state;
    /* 23 values, 4 batches of 5 after dropping the first 3 */
    double x[23];
    for (int i = 0; i < 23; i++)
        x[i] = i < 3 ? 1000.0 : (double)(i - 3);   /* dropped prefix would spoil the mean */
    double mean = -1, half = -1;
    assert_int_equal(sim_ci_batch_means(x, 23, 4, 0.95, &mean, &half), SIM_OK);
    /* batches 0..4, 5..9, 10..14, 15..19 -> means 2, 7, 12, 17: mean 9.5, sd sqrt(125/3) */
    assert_true(fabs(mean - 9.5) < 1e-12);
    double want = sim_ci_t_crit(4, 0.95) * sqrt(125.0 / 3.0) / 2.0;
    assert_true(fabs(half - want) < 1e-12);

    /* exactly n == batches: each value its own batch */
    double y[3] = {1.0, 2.0, 6.0};
    assert_int_equal(sim_ci_batch_means(y, 3, 3, 0.9, &mean, &half), SIM_OK);
    assert_true(fabs(mean - 3.0) < 1e-12);
    assert_true(fabs(half - sim_ci_t_crit(3, 0.9) * sqrt(7.0) / sqrt(3.0)) < 1e-12);

    /* constant series: zero half-width */
    double z[10] = {5, 5, 5, 5, 5, 5, 5, 5, 5, 5};
    assert_int_equal(sim_ci_batch_means(z, 10, 5, 0.95, &mean, &half), SIM_OK);
    assert_true(mean == 5.0 && half == 0.0);

    /* invalid arguments leave the outputs untouched */
    mean = half = 42.0;
    assert_int_equal(sim_ci_batch_means(x, 23, 1, 0.95, &mean, &half), SIM_EINVAL);
    assert_int_equal(sim_ci_batch_means(x, 3, 4, 0.95, &mean, &half), SIM_EINVAL);
    assert_int_equal(sim_ci_batch_means(x, 23, 4, 1.0, &mean, &half), SIM_EINVAL);
    assert_int_equal(sim_ci_batch_means(x, 23, 4, 0.0, &mean, &half), SIM_EINVAL);
    assert_int_equal(sim_ci_batch_means(NULL, 23, 4, 0.95, &mean, &half), SIM_EINVAL);
    assert_int_equal(sim_ci_batch_means(x, 23, 4, 0.95, NULL, &half), SIM_EINVAL);
    assert_int_equal(sim_ci_batch_means(x, 23, 4, 0.95, &mean, NULL), SIM_EINVAL);
    assert_true(mean == 42.0 && half == 42.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_t_table),
        cmocka_unit_test(test_halfwidth),
        cmocka_unit_test(test_coverage),
        cmocka_unit_test(test_batch_means),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
