/* test_hist: unit tests of the log-linear latency histogram (stats/hist). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>

#include "core/alloc.h"
#include "core/error.h"
#include "stats/hist.h"

/* Deterministic splitmix64 stream for test data. */
static uint64_t mix_state;

static uint64_t mix_next(void)
{
    uint64_t z = (mix_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in (0, 1]. */
static double mix_unif(void)
{
    return ((double)(mix_next() >> 11) + 1.0) * 0x1p-53;
}

/* A lognormal value with median 1 ms and log-sd 2 (Box-Muller). */
static double lognormal(void)
{
    double u = mix_unif(), v = mix_unif();
    double z = sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
    return 1e-3 * exp(2.0 * z);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The exact order statistic of rank ceil(q n) (at least 1) of sorted[0..n). */
static double exact_quantile(const double *sorted, size_t n, double q)
{
    double r = ceil(q * (double)n);
    size_t rank = r < 1.0 ? 1 : (size_t)r;
    return sorted[rank - 1];
}

static void assert_rel_within(double got, double want, double rel)
{
    double err = fabs(got - want) / fabs(want);
    if (!(err <= rel * (1.0 + 1e-12)))
        fail_msg("got %.17g want %.17g rel err %.3g > %.3g", got, want, err, rel);
}

static void test_layout(void **state)
{
    (void)state;
    assert_int_equal(SIM_HIST_NBUCKETS, 50 * 128 + 2);
    assert_true(SIM_HIST_REL_ERROR == ldexp(1.0, -8));
    assert_int_equal(sim_hist_index(0.0), SIM_HIST_UNDERFLOW);
    assert_int_equal(sim_hist_index(-3.0), SIM_HIST_UNDERFLOW);
    assert_int_equal(sim_hist_index(nextafter(SIM_HIST_LOWEST, 0.0)), SIM_HIST_UNDERFLOW);
    assert_int_equal(sim_hist_index(SIM_HIST_LOWEST), 1);
    assert_int_equal(sim_hist_index(SIM_HIST_LOWEST * (1.0 + 1.0 / 128)), 2);
    assert_int_equal(sim_hist_index(nextafter(SIM_HIST_HIGHEST, 0.0)), SIM_HIST_OVERFLOW - 1);
    assert_int_equal(sim_hist_index(SIM_HIST_HIGHEST), SIM_HIST_OVERFLOW);
    assert_int_equal(sim_hist_index(INFINITY), SIM_HIST_OVERFLOW);
    assert_int_equal(sim_hist_index(1.0), 1 + 30 * 128);
    assert_int_equal(sim_hist_index(1.5), 1 + 30 * 128 + 64);
}

static void test_empty(void **state)
{
    (void)state;
    sim_hist h;
    assert_int_equal(sim_hist_init(&h), SIM_OK);
    assert_true(isnan(sim_hist_quantile(&h, 0.5)));
    assert_true(isnan(sim_hist_mean(&h)));
    assert_int_equal(sim_hist_next(&h, -1, NULL, NULL, NULL), -1);
    sim_hist_add(&h, NAN);   /* ignored */
    assert_int_equal(h.count, 0);
    assert_true(isnan(sim_hist_quantile(&h, 0.99)));
    sim_hist_reset(&h);
    assert_int_equal(h.count, 0);
    sim_hist_fini(&h);
    sim_hist_fini(&h);   /* idempotent */
}

static void test_known_small(void **state)
{
    (void)state;
    sim_hist h;
    assert_int_equal(sim_hist_init(&h), SIM_OK);
    double sorted[100];
    for (int i = 1; i <= 100; i++) {
        sorted[i - 1] = i * 1e-3;
        sim_hist_add(&h, i * 1e-3);
    }
    assert_int_equal(h.count, 100);
    assert_true(fabs(sim_hist_mean(&h) - 0.0505) < 1e-15);
    assert_true(sim_hist_quantile(&h, 0.0) == 1e-3);
    assert_true(sim_hist_quantile(&h, -1.0) == 1e-3);
    assert_true(sim_hist_quantile(&h, 1.0) == 0.1);
    assert_true(sim_hist_quantile(&h, 2.0) == 0.1);
    assert_true(isnan(sim_hist_quantile(&h, NAN)));
    for (int k = 1; k < 100; k++) {
        double q = k / 100.0;
        assert_rel_within(sim_hist_quantile(&h, q), exact_quantile(sorted, 100, q),
                          SIM_HIST_REL_ERROR);
    }
    /* a single repeated value: every quantile is that value exactly (clamped to [min, max]) */
    sim_hist_reset(&h);
    for (int i = 0; i < 1000; i++)
        sim_hist_add(&h, 0.0123);
    assert_true(sim_hist_quantile(&h, 0.5) == 0.0123);
    assert_true(sim_hist_quantile(&h, 0.999) == 0.0123);
    sim_hist_fini(&h);
}

static void test_lognormal_million(void **state)
{
    (void)state;
    enum { N = 1000000 };
    double *x = malloc(N * sizeof *x);
    assert_non_null(x);
    sim_hist h;
    assert_int_equal(sim_hist_init(&h), SIM_OK);
    mix_state = 42;
    double sum = 0.0;
    for (size_t i = 0; i < N; i++) {
        x[i] = lognormal();
        sum += x[i];
        sim_hist_add(&h, x[i]);
    }
    qsort(x, N, sizeof *x, cmp_double);
    assert_int_equal(h.count, N);
    assert_true(h.min == x[0] && h.max == x[N - 1]);
    assert_true(fabs(h.sum - sum) <= 1e-9 * sum);
    assert_int_equal(sim_hist_bucket(&h, SIM_HIST_UNDERFLOW), 0);
    assert_int_equal(sim_hist_bucket(&h, SIM_HIST_OVERFLOW), 0);
    double worst = 0.0;
    for (int k = 0; k <= 2000; k++) {
        double q = k / 2000.0;
        double got = sim_hist_quantile(&h, q), want = exact_quantile(x, N, q);
        assert_rel_within(got, want, SIM_HIST_REL_ERROR);
        double e = fabs(got - want) / want;
        if (e > worst)
            worst = e;
    }
    static const double tail[] = {0.9, 0.99, 0.999, 0.9999, 0.99999, 0.999999};
    for (size_t k = 0; k < sizeof tail / sizeof tail[0]; k++)
        assert_rel_within(sim_hist_quantile(&h, tail[k]), exact_quantile(x, N, tail[k]),
                          SIM_HIST_REL_ERROR);
    print_message("worst relative quantile error over 2001 quantiles: %.3g (bound %.3g)\n", worst,
                  SIM_HIST_REL_ERROR);
    sim_hist_fini(&h);
    free(x);
}

static void test_merge_equals_all(void **state)
{
    (void)state;
    sim_hist a, b, all;
    assert_int_equal(sim_hist_init(&a), SIM_OK);
    assert_int_equal(sim_hist_init(&b), SIM_OK);
    assert_int_equal(sim_hist_init(&all), SIM_OK);
    mix_state = 7;
    for (int i = 0; i < 50000; i++) {
        double v = lognormal();
        sim_hist_add(i % 3 ? &a : &b, v);
        sim_hist_add(&all, v);
    }
    sim_hist_add(&b, 0.0);
    sim_hist_add(&all, 0.0);
    sim_hist_add(&a, 5e6);
    sim_hist_add(&all, 5e6);
    sim_hist_merge(&a, &b);
    assert_int_equal(a.count, all.count);
    assert_true(a.min == all.min && a.max == all.max);
    assert_true(fabs(a.sum - all.sum) <= 1e-12 * all.sum);
    for (long i = 0; i < SIM_HIST_NBUCKETS; i++)
        assert_int_equal(sim_hist_bucket(&a, i), sim_hist_bucket(&all, i));
    for (int k = 0; k <= 100; k++)
        assert_true(sim_hist_quantile(&a, k / 100.0) == sim_hist_quantile(&all, k / 100.0));
    /* merging an empty histogram changes nothing; merging into an empty one copies */
    sim_hist_reset(&b);
    sim_hist_merge(&a, &b);
    assert_int_equal(a.count, all.count);
    sim_hist_merge(&b, &all);
    assert_int_equal(b.count, all.count);
    assert_true(b.min == all.min && b.max == all.max);
    for (long i = 0; i < SIM_HIST_NBUCKETS; i++)
        assert_int_equal(sim_hist_bucket(&b, i), sim_hist_bucket(&all, i));
    sim_hist_fini(&a);
    sim_hist_fini(&b);
    sim_hist_fini(&all);
}

static void test_underflow_overflow(void **state)
{
    (void)state;
    sim_hist h;
    assert_int_equal(sim_hist_init(&h), SIM_OK);
    sim_hist_add(&h, 0.0);
    sim_hist_add(&h, 1e-12);
    sim_hist_add(&h, 1.0);
    sim_hist_add(&h, 2e6);
    sim_hist_add(&h, 1e9);
    assert_int_equal(h.count, 5);
    assert_int_equal(sim_hist_bucket(&h, SIM_HIST_UNDERFLOW), 2);
    assert_int_equal(sim_hist_bucket(&h, SIM_HIST_OVERFLOW), 2);
    assert_true(h.min == 0.0 && h.max == 1e9);
    assert_true(sim_hist_quantile(&h, 0.0) == 0.0);
    assert_true(sim_hist_quantile(&h, 1.0) == 1e9);
    double q2 = sim_hist_quantile(&h, 0.4);   /* rank 2, underflow bucket */
    assert_true(q2 >= 0.0 && q2 < SIM_HIST_LOWEST);
    assert_rel_within(sim_hist_quantile(&h, 0.6), 1.0, SIM_HIST_REL_ERROR);
    double q4 = sim_hist_quantile(&h, 0.8);   /* rank 4, overflow bucket */
    assert_true(q4 >= SIM_HIST_HIGHEST && q4 <= 1e9);

    double lo, hi;
    uint64_t c;
    long i = sim_hist_next(&h, -1, &lo, &hi, &c);
    assert_int_equal(i, SIM_HIST_UNDERFLOW);
    assert_true(lo == 0.0 && hi == SIM_HIST_LOWEST);
    assert_int_equal(c, 2);
    i = sim_hist_next(&h, i, &lo, &hi, &c);
    assert_true(lo <= 1.0 && 1.0 < hi);
    assert_int_equal(c, 1);
    i = sim_hist_next(&h, i, &lo, &hi, &c);
    assert_int_equal(i, SIM_HIST_OVERFLOW);
    assert_true(lo == SIM_HIST_HIGHEST && hi == 1e9);
    assert_int_equal(c, 2);
    assert_int_equal(sim_hist_next(&h, i, &lo, &hi, &c), -1);

    /* negative values land in underflow; the bucket's low bound follows min */
    sim_hist_add(&h, -2.0);
    assert_int_equal(sim_hist_next(&h, -1, &lo, NULL, &c), SIM_HIST_UNDERFLOW);
    assert_true(lo == -2.0);
    assert_int_equal(c, 3);
    sim_hist_fini(&h);
}

static void test_iteration(void **state)
{
    (void)state;
    sim_hist h;
    assert_int_equal(sim_hist_init(&h), SIM_OK);
    mix_state = 99;
    for (int i = 0; i < 100000; i++)
        sim_hist_add(&h, lognormal());
    uint64_t total = 0, c;
    double lo, hi, prev_hi = -INFINITY;
    long prev = -1, buckets = 0;
    for (long i = sim_hist_next(&h, -1, &lo, &hi, &c); i >= 0;
         i = sim_hist_next(&h, i, &lo, &hi, &c)) {
        assert_true(i > prev);
        assert_true(c > 0 && c == sim_hist_bucket(&h, i));
        assert_true(lo < hi && lo >= prev_hi);
        assert_true(sim_hist_index(lo) == i);
        assert_true(sim_hist_index(nextafter(hi, 0.0)) == i);
        assert_true(hi - lo <= lo * (2.0 * SIM_HIST_REL_ERROR) * (1.0 + 1e-12));
        total += c;
        prev = i;
        prev_hi = hi;
        buckets++;
    }
    assert_int_equal(total, h.count);
    assert_true(buckets > 100);
    sim_hist_fini(&h);
}

static void test_reset_clears(void **state)
{
    (void)state;
    sim_hist h;
    assert_int_equal(sim_hist_init(&h), SIM_OK);
    for (int round = 0; round < 3; round++) {
        mix_state = 1000 + (uint64_t)round;
        for (int i = 0; i < 10000; i++)
            sim_hist_add(&h, lognormal() * (round + 1));
        sim_hist_add(&h, 0.0);
        sim_hist_add(&h, 1e7);
        sim_hist_reset(&h);
        assert_int_equal(h.count, 0);
        assert_true(h.sum == 0.0);
        for (long i = 0; i < SIM_HIST_NBUCKETS; i++)
            assert_int_equal(sim_hist_bucket(&h, i), 0);
    }
    sim_hist_add(&h, 0.5);
    assert_true(sim_hist_quantile(&h, 0.5) == 0.5);
    sim_hist_fini(&h);
}

/* An allocator that always fails, for the out-of-memory path. */
static void *failing_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        free(ptr);
        return NULL;
    }
    return NULL;
}

/* The buckets come with the first value: an unused histogram holds no memory, and a value that
 * finds no memory for them is counted in `lost` (its owner reports the shortage), never dropped
 * silently or written through a NULL pointer. */
static void test_lazy_buckets_and_enomem(void **state)
{
    (void)state;
    sim_hist h;
    assert_int_equal(sim_hist_init(&h), SIM_OK);
    assert_int_equal(sim_hist_memory(&h), 0);
    assert_true(isnan(sim_hist_quantile(&h, 0.5)));
    sim_alloc_set(failing_alloc, NULL);
    sim_hist_add(&h, 1.0);
    sim_alloc_set(NULL, NULL);
    assert_int_equal(sim_hist_memory(&h), 0);
    assert_int_equal(h.lost, 1);
    assert_int_equal(h.count, 0);
    sim_hist_add(&h, 2.0);   /* memory again: recorded, in one octave of 1 KB */
    assert_int_equal(sim_hist_memory(&h), SIM_HIST_SUB * sizeof(uint64_t));
    assert_int_equal(h.count, 1);
    sim_hist_add(&h, 2.5);   /* the same octave */
    sim_hist_add(&h, 1e-3);  /* another */
    assert_int_equal(sim_hist_memory(&h), 2 * SIM_HIST_SUB * sizeof(uint64_t));
    sim_hist_fini(&h);
}

/* The hot path of sim_hist_add reads the bucket off the bits with one range check: every value,
 * inside the range, at its edges or outside it (zero, negatives, infinities), lands in the bucket
 * that sim_hist_index names, and NaN is ignored. */
static void test_add_fast_path_edges(void **state)
{
    (void)state;
    const double v[] = { 0.0, -0.0, -1.0, 0x1p-1074, nextafter(SIM_HIST_LOWEST, 0.0),
                         SIM_HIST_LOWEST, 1e-3, 1.0, 3.5, nextafter(SIM_HIST_HIGHEST, 0.0),
                         SIM_HIST_HIGHEST, 1e300, INFINITY, -INFINITY };
    for (size_t k = 0; k < sizeof v / sizeof v[0]; k++) {
        sim_hist h;
        sim_hist_init(&h);
        sim_hist_add(&h, v[k]);   /* the first value allocates its octave: the slow path */
        sim_hist_add(&h, v[k]);   /* then the fast one, for values inside the range */
        sim_hist_add(&h, NAN);
        assert_int_equal(h.count, 2);
        assert_int_equal(sim_hist_bucket(&h, sim_hist_index(v[k])), 2);
        assert_true(h.min == v[k] && h.max == v[k]);
        sim_hist_fini(&h);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_fast_path_edges),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_known_small),
        cmocka_unit_test(test_lognormal_million),
        cmocka_unit_test(test_merge_equals_all),
        cmocka_unit_test(test_underflow_overflow),
        cmocka_unit_test(test_iteration),
        cmocka_unit_test(test_reset_clears),
        cmocka_unit_test(test_lazy_buckets_and_enomem),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
