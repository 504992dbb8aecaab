/* test_rng: unit tests of the named random streams (core/rng): published reference outputs of
 * xoshiro256** and splitmix64, reproducibility and independence of streams, the range and mean of
 * sim_rng_uniform, and the uniformity (chi-square) and range of sim_rng_below. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>

#include "core/rng.h"

/* xoshiro256** from the state {1, 2, 3, 4}: the reference values published with the rand_xoshiro
 * crate (rust-random/rngs, xoshiro256starstar.rs, test "reference", produced with the authors'
 * reference implementation). */
static void test_xoshiro_reference(void **state)
{
    (void)state;
    static const uint64_t want[10] = {
        UINT64_C(11520),
        UINT64_C(0),
        UINT64_C(1509978240),
        UINT64_C(1215971899390074240),
        UINT64_C(1216172134540287360),
        UINT64_C(607988272756665600),
        UINT64_C(16172922978634559625),
        UINT64_C(8476171486693032832),
        UINT64_C(10595114339597558777),
        UINT64_C(2904607092377533576),
    };
    sim_rng r = { { 1, 2, 3, 4 } };
    for (int i = 0; i < 10; i++)
        assert_true(sim_rng_next(&r) == want[i]);
}

/* splitmix64 from the seeds 1234567 and 0: widely published reference outputs (e.g. the
 * SplittableRandom / splitmix64 test vectors). */
static void test_splitmix_reference(void **state)
{
    (void)state;
    static const uint64_t want[5] = {
        UINT64_C(6457827717110365317), UINT64_C(3203168211198807973), UINT64_C(9817491932198370423),
        UINT64_C(4593380528125082431), UINT64_C(16408922859458223821),
    };
    uint64_t s = 1234567;
    for (int i = 0; i < 5; i++)
        assert_true(sim_rng_splitmix64(&s) == want[i]);
    static const uint64_t want0[4] = {
        UINT64_C(0xe220a8397b1dcdaf), UINT64_C(0x6e789e6aa1b965f4),
        UINT64_C(0x06c45d188009454f), UINT64_C(0xf88bb8a8724c81ec),
    };
    s = 0;
    for (int i = 0; i < 4; i++)
        assert_true(sim_rng_splitmix64(&s) == want0[i]);
}

static void test_same_triple_same_sequence(void **state)
{
    (void)state;
    sim_rng a, b, other;
    sim_rng_init(&a, 42, 3, "server.service");
    sim_rng_init(&other, 42, 3, "something.else");   /* created in between: must not matter */
    sim_rng_init(&b, 42, 3, "server.service");
    for (int i = 0; i < 10000; i++)
        assert_true(sim_rng_next(&a) == sim_rng_next(&b));

    /* Creation order does not matter: b then a gives the same streams as a then b. */
    sim_rng c, d, c2, d2;
    sim_rng_init(&c, 7, 0, "arrivals");
    sim_rng_init(&d, 7, 0, "service");
    sim_rng_init(&d2, 7, 0, "service");
    sim_rng_init(&c2, 7, 0, "arrivals");
    assert_memory_equal(&c, &c2, sizeof c);
    assert_memory_equal(&d, &d2, sizeof d);

    /* NULL name is the empty name. */
    sim_rng e, f;
    sim_rng_init(&e, 1, 1, NULL);
    sim_rng_init(&f, 1, 1, "");
    assert_memory_equal(&e, &f, sizeof e);
}

/* Counts equal outputs at equal positions over 1000 draws. */
static int coincidences(sim_rng a, sim_rng b)
{
    int same = 0;
    for (int i = 0; i < 1000; i++)
        same += sim_rng_next(&a) == sim_rng_next(&b);
    return same;
}

static void test_different_triples_differ(void **state)
{
    (void)state;
    sim_rng base, r;
    sim_rng_init(&base, 42, 0, "disk");
    sim_rng_init(&r, 43, 0, "disk");
    assert_int_equal(coincidences(base, r), 0);
    sim_rng_init(&r, 42, 1, "disk");
    assert_int_equal(coincidences(base, r), 0);
    sim_rng_init(&r, 42, 0, "disk2");
    assert_int_equal(coincidences(base, r), 0);
    sim_rng_init(&r, 42, 0, "Disk");
    assert_int_equal(coincidences(base, r), 0);
    /* seed and rep are not interchangeable */
    sim_rng a, b;
    sim_rng_init(&a, 1, 2, "x");
    sim_rng_init(&b, 2, 1, "x");
    assert_int_equal(coincidences(a, b), 0);
    /* long names differing only in the last byte, and names that are prefixes of each other */
    sim_rng_init(&a, 5, 5, "a.rather.long.component.name.that.spans.several.words.0");
    sim_rng_init(&b, 5, 5, "a.rather.long.component.name.that.spans.several.words.1");
    assert_int_equal(coincidences(a, b), 0);
    sim_rng_init(&a, 5, 5, "abcdefgh");
    sim_rng_init(&b, 5, 5, "abcdefgh1");
    assert_int_equal(coincidences(a, b), 0);
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* 20000 similar names (and 20000 reps of one name) give 20000 distinct first outputs. */
static void test_many_names_distinct(void **state)
{
    (void)state;
    enum { N = 20000 };
    uint64_t *first = malloc(2 * N * sizeof *first);
    assert_non_null(first);
    char name[32];
    for (int i = 0; i < N; i++) {
        sim_rng r;
        snprintf(name, sizeof name, "node%d", i);
        sim_rng_init(&r, 1, 0, name);
        first[i] = sim_rng_next(&r);
        sim_rng_init(&r, 1, (uint64_t)i, "node");
        first[N + i] = sim_rng_next(&r);
    }
    qsort(first, 2 * N, sizeof *first, cmp_u64);
    for (int i = 1; i < 2 * N; i++)
        assert_true(first[i] != first[i - 1]);
    free(first);
}

/* Inverse of an odd a modulo 2^64 by Newton's iteration. */
static uint64_t inverse_odd(uint64_t a)
{
    uint64_t x = a;
    for (int i = 0; i < 6; i++)
        x *= 2 - a * x;
    return x;
}

static void test_uniform_range_and_mean(void **state)
{
    (void)state;
    /* The extreme outputs 0 and 2^64-1 still map strictly inside (0,1). The output depends on s[1]
     * only, so invert the scrambler to get a state whose next output is all ones. */
    sim_rng zero = { { 1, 0, 0, 0 } };
    double u0 = sim_rng_uniform(&zero);
    assert_true(u0 == 0x1p-53);   /* smallest value: exactly representable, > 0 */
    uint64_t y = UINT64_MAX * inverse_odd(9);
    uint64_t x = (y >> 7) | (y << 57);
    sim_rng ones = { { 0, x * inverse_odd(5), 0, 0 } };
    sim_rng probe = ones;
    assert_true(sim_rng_next(&probe) == UINT64_MAX);
    double u1 = sim_rng_uniform(&ones);
    assert_true(u1 == 1.0 - 0x1p-53);   /* largest value: still < 1 */
    assert_true(u1 < 1.0);

    const int n = 1000000;
    sim_rng r;
    sim_rng_init(&r, 2024, 0, "uniform");
    double sum = 0.0;
    for (int i = 0; i < n; i++) {
        double u = sim_rng_uniform(&r);
        assert_true(u > 0.0 && u < 1.0);
        sum += u;
    }
    double mean = sum / n;
    double half_width = 3.2905 * sqrt(1.0 / 12.0 / n);   /* 99.9% CI of the mean */
    assert_true(fabs(mean - 0.5) < half_width);
}

/* Pearson's statistic of counts against equal expected counts. */
static double chi_square(const long *count, int bins, long n)
{
    double expect = (double)n / bins, x2 = 0.0;
    for (int i = 0; i < bins; i++)
        x2 += (count[i] - expect) * (count[i] - expect) / expect;
    return x2;
}

static void test_below_chi_square(void **state)
{
    (void)state;
    const long n = 1000000;
    long count[10] = { 0 };
    sim_rng r;
    sim_rng_init(&r, 99, 0, "below");
    for (long i = 0; i < n; i++) {
        uint64_t k = sim_rng_below(&r, 10);
        assert_true(k < 10);
        count[k]++;
    }
    assert_true(chi_square(count, 10, n) < gsl_cdf_chisq_Qinv(0.001, 9));

    /* n = 3 * 2^62: plain modulo would put half of the draws in the first third. */
    const uint64_t big = UINT64_C(3) << 62;
    long third[3] = { 0 };
    for (long i = 0; i < 300000; i++) {
        uint64_t k = sim_rng_below(&r, big);
        assert_true(k < big);
        third[k >> 62]++;
    }
    assert_true(chi_square(third, 3, 300000) < gsl_cdf_chisq_Qinv(0.001, 2));
}

static void test_below_edges(void **state)
{
    (void)state;
    sim_rng r;
    sim_rng_init(&r, 5, 0, "edges");
    for (int i = 0; i < 1000; i++)
        assert_true(sim_rng_below(&r, 1) == 0);
    assert_true(sim_rng_below(&r, 0) == 0);
    static const uint64_t ns[] = { 2, 3, 7, 1000, UINT64_C(1) << 32, (UINT64_C(1) << 63) + 1,
                                   UINT64_MAX };
    for (size_t j = 0; j < sizeof ns / sizeof ns[0]; j++)
        for (int i = 0; i < 10000; i++)
            assert_true(sim_rng_below(&r, ns[j]) < ns[j]);
    /* both values of below(2) occur, in roughly equal numbers */
    long ones = 0;
    for (int i = 0; i < 100000; i++)
        ones += (long)sim_rng_below(&r, 2);
    assert_true(ones > 49000 && ones < 51000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xoshiro_reference),
        cmocka_unit_test(test_splitmix_reference),
        cmocka_unit_test(test_same_triple_same_sequence),
        cmocka_unit_test(test_different_triples_differ),
        cmocka_unit_test(test_many_names_distinct),
        cmocka_unit_test(test_uniform_range_and_mean),
        cmocka_unit_test(test_below_chi_square),
        cmocka_unit_test(test_below_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
