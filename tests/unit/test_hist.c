/* test_hist: unit tests of the log-linear latency histogram (stats/hist). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

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

/* Both bit counts (the one the build uses, and the sum by halves, used where the processor's
 * instruction is not assumed) against a loop over the bits: every single bit, the edges, and a
 * million random words of every density (the masks of dense octaves). */
static void check_popcount(uint64_t x)
{
    unsigned n = 0;
    for (uint64_t y = x; y; y >>= 1)
        n += (unsigned)(y & 1);
    if (sim_popcount64(x) != n || sim_popcount64_halves_(x) != n)
        fail_msg("popcount of %#llx: %u and by halves %u, a loop counts %u",
                 (unsigned long long)x, sim_popcount64(x), sim_popcount64_halves_(x), n);
}

static void test_popcount(void **state)
{
    (void)state;
    check_popcount(0);
    check_popcount(UINT64_MAX);
    for (int b = 0; b < 64; b++) {
        check_popcount(UINT64_C(1) << b);
        check_popcount(~(UINT64_C(1) << b));
    }
    mix_state = 7;
    for (int k = 0; k < 1000000; k++)
        check_popcount(mix_next() & mix_next() >> (k % 7));
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

/* The buckets' memory comes with the values: an unused histogram holds none, its first values
 * take cells (8 bytes each, room for 4 at first), and a value that finds no memory is counted in
 * `lost` (its owner reports the shortage), never dropped silently or written through a NULL
 * pointer. */
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
    sim_hist_add(&h, 2.0);   /* memory again: recorded, in a cell */
    assert_int_equal(sim_hist_memory(&h), 4 * sizeof(sim_hist_cell));
    assert_int_equal(h.count, 1);
    sim_hist_add(&h, 2.0);   /* the same bucket: the same cell */
    sim_hist_add(&h, 1e-3);  /* another octave: another cell */
    assert_int_equal(sim_hist_memory(&h), 4 * sizeof(sim_hist_cell));
    assert_int_equal(sim_hist_bucket(&h, sim_hist_index(2.0)), 2);
    sim_hist_fini(&h);
}

/* A cell that has counted SIM_HIST_HOT values turns its octave dense, so that a histogram whose
 * values fall in a few buckets (a constant delay, a narrow spread) takes the inline path instead
 * of searching its cells at every value; the other octaves keep their cells. Without the memory
 * for the octave, the value stays in its cell. The counts are the same either way. */
static void test_busy_cell_turns_dense(void **state)
{
    (void)state;
    sim_hist h;
    sim_hist_init(&h);
    long o = (sim_hist_index(0.25) - 1) / SIM_HIST_SUB;
    sim_hist_add(&h, 3.0);   /* another octave, which stays in a cell */
    for (int k = 0; k < SIM_HIST_HOT / 2; k++)
        sim_hist_add(&h, 0.26);
    for (int k = 0; k < SIM_HIST_HOT - 1; k++)   /* 0.25's cell reaches SIM_HIST_HOT - 1 */
        sim_hist_add(&h, 0.25);
    assert_null(sim_hist_octave_(&h, o));
    assert_int_equal(h.ncell, 3);
    sim_alloc_set(failing_alloc, NULL);
    sim_hist_add(&h, 0.25);   /* the SIM_HIST_HOT-th: no memory, so it stays in its cell */
    sim_alloc_set(NULL, NULL);
    assert_null(sim_hist_octave_(&h, o));
    assert_int_equal(h.lost, 0);
    sim_hist_add(&h, 0.25);   /* past SIM_HIST_HOT, with memory: the octave turns dense */
    assert_non_null(sim_hist_octave_(&h, o));
    assert_int_equal(h.ncell, 1);   /* 3.0's */
    assert_int_equal(sim_hist_bucket(&h, sim_hist_index(0.25)), SIM_HIST_HOT + 1);
    assert_int_equal(sim_hist_bucket(&h, sim_hist_index(0.26)), SIM_HIST_HOT / 2);
    assert_int_equal(sim_hist_bucket(&h, sim_hist_index(3.0)), 1);
    assert_int_equal(h.count, SIM_HIST_HOT / 2 + SIM_HIST_HOT + 2);
    /* Merged into a histogram without cells (no array yet), the busy bucket's count turns its
     * octave dense at once (the sanitizer build checks that no NULL array is moved). */
    sim_hist m;
    sim_hist_init(&m);
    sim_hist_merge(&m, &h);
    assert_non_null(sim_hist_octave_(&m, o));
    assert_int_equal(sim_hist_bucket(&m, sim_hist_index(0.25)), SIM_HIST_HOT + 1);
    assert_int_equal(sim_hist_bucket(&m, sim_hist_index(3.0)), 1);
    assert_int_equal(m.count, h.count);
    sim_hist_fini(&m);
    sim_hist_fini(&h);
}

/* The cells hold up to SIM_HIST_CELLS buckets; the next new bucket turns the octave with the
 * most cells dense (1 KB of counters and the 400-byte table of octaves), its cells moved in. A
 * value that finds no memory for a cell or a dense octave is lost and counted, and the buckets
 * still add up to the count. */
static void test_cells_then_dense(void **state)
{
    (void)state;
    sim_hist h;
    sim_hist_init(&h);
    /* octave of 1 s: buckets 1 + k/128; one value in each of 60 of them, and 4 at 1 ms */
    for (int k = 0; k < 60; k++)
        sim_hist_add(&h, 1.0 + k / 128.0);
    for (int k = 0; k < 4; k++)
        sim_hist_add(&h, 1e-3 * (1.0 + k / 128.0));
    assert_int_equal(h.ncell, SIM_HIST_CELLS);
    assert_int_equal(sim_hist_memory(&h), SIM_HIST_CELLS * sizeof(sim_hist_cell));
    assert_null(sim_hist_octave_(&h, (sim_hist_index(1.0) - 1) / SIM_HIST_SUB));
    sim_hist_add(&h, 1.0 + 100 / 128.0);   /* a 65th bucket: the 1 s octave turns dense */
    assert_non_null(sim_hist_octave_(&h, (sim_hist_index(1.0) - 1) / SIM_HIST_SUB));
    assert_int_equal(h.ncell, 4);
    assert_int_equal(sim_hist_memory(&h), SIM_HIST_CELLS * sizeof(sim_hist_cell) +
                                             SIM_HIST_SUB * sizeof(uint64_t));
    for (int k = 0; k < 60; k++)
        assert_int_equal(sim_hist_bucket(&h, sim_hist_index(1.0 + k / 128.0)), 1);
    assert_int_equal(sim_hist_bucket(&h, sim_hist_index(1.0 + 100 / 128.0)), 1);
    assert_int_equal(sim_hist_bucket(&h, sim_hist_index(1e-3)), 1);
    /* the cells full again, and no memory for a dense octave: lost, counted apart */
    sim_hist_reset(&h);
    for (int k = 0; k < SIM_HIST_CELLS; k++)
        sim_hist_add(&h, 1e-6 * (1.0 + (k % 32) / 128.0) * (k < 32 ? 1.0 : 4.0));
    assert_int_equal(h.ncell, SIM_HIST_CELLS);
    sim_alloc_set(failing_alloc, NULL);
    sim_hist_add(&h, 1e-6 * (1.0 + 50 / 128.0));
    sim_hist_add(&h, 1e-6);   /* an existing cell needs no memory */
    sim_alloc_set(NULL, NULL);
    assert_int_equal(h.lost, 1);
    assert_int_equal(h.count, SIM_HIST_CELLS + 1);
    uint64_t total = 0, c;
    for (long i = sim_hist_next(&h, -1, NULL, NULL, &c); i >= 0; i = sim_hist_next(&h, i, NULL, NULL, &c))
        total += c;
    assert_int_equal(total, h.count);
    sim_hist_fini(&h);
    sim_hist_fini(&h);
}

/* The bucket counts of values, computed apart from the histogram (sim_hist_index alone). */
static void count_buckets(const double *v, size_t n, uint64_t *want)
{
    memset(want, 0, SIM_HIST_NBUCKETS * sizeof *want);
    for (size_t i = 0; i < n; i++)
        if (v[i] == v[i])
            want[sim_hist_index(v[i])]++;
}

/* Every bucket, the count, min and max of h are those of the values v[0..n). */
static void assert_holds(const sim_hist *h, const double *v, size_t n)
{
    static uint64_t want[SIM_HIST_NBUCKETS];
    count_buckets(v, n, want);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        lo = v[i] < lo ? v[i] : lo;
        hi = v[i] > hi ? v[i] : hi;
    }
    assert_int_equal(h->count, n);
    assert_true(h->min == lo && h->max == hi);
    for (long i = 0; i < SIM_HIST_NBUCKETS; i++)
        if (sim_hist_bucket(h, i) != want[i])
            fail_msg("bucket %ld: %llu, want %llu", i, (unsigned long long)sim_hist_bucket(h, i),
                     (unsigned long long)want[i]);
    uint64_t total = 0, c;   /* and the iteration visits exactly the non-empty buckets */
    long prev = -1;
    for (long i = sim_hist_next(h, -1, NULL, NULL, &c); i >= 0; i = sim_hist_next(h, i, NULL, NULL, &c)) {
        assert_true(i > prev && c == want[i]);
        total += c;
        prev = i;
    }
    assert_int_equal(total, n);
}

/* Laws of several shapes, for the quantile checks. */
static double draw(int law)
{
    double u = mix_unif();
    switch (law) {
    case 0: return 0.5 + u;                                  /* uniform on one octave */
    case 1: return -0.1 * log(u);                            /* exponential */
    case 2: return lognormal();                              /* lognormal over 8 decades */
    case 3: return u < 0.9 ? 1e-3 * (1 + u) : 2.0 + u;       /* bimodal, far apart */
    default: return 1e-4 * pow(u, -1.0 / 1.2);               /* Pareto, heavy tail */
    }
}

/* The quantile bound holds against the exact order statistics whatever the layout the values
 * left the histogram in: a handful of values (cells only), a few hundred (some octaves dense)
 * and many (dense), for five laws; and the buckets are those counted apart. */
static void test_quantiles_every_layout(void **state)
{
    (void)state;
    static const size_t sizes[] = { 2, 7, 40, 65, 300, 5000 };
    double *x = malloc(5000 * sizeof *x);
    assert_non_null(x);
    for (int law = 0; law < 5; law++)
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s];
            sim_hist h;
            sim_hist_init(&h);
            mix_state = 500 + (uint64_t)(law * 10) + s;
            for (size_t i = 0; i < n; i++) {
                x[i] = draw(law);
                sim_hist_add(&h, x[i]);
            }
            assert_holds(&h, x, n);
            qsort(x, n, sizeof *x, cmp_double);
            for (int k = 0; k <= 1000; k++) {
                double q = k / 1000.0;
                assert_rel_within(sim_hist_quantile(&h, q), exact_quantile(x, n, q),
                                  SIM_HIST_REL_ERROR);
            }
            sim_hist_fini(&h);
        }
    free(x);
}

/* Merging is exact between any two layouts: cells into dense octaves, dense octaves into cells,
 * cells into cells, both ways, each result holding the buckets counted apart from all values. */
static void test_merge_across_layouts(void **state)
{
    (void)state;
    static const size_t sizes[] = { 3, 60, 400, 20000 };
    enum { MAX = 20000 };
    double *x = malloc(2 * MAX * sizeof *x);
    assert_non_null(x);
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 4; j++) {
            size_t na = sizes[i], nb = sizes[j];
            sim_hist a, b;
            sim_hist_init(&a);
            sim_hist_init(&b);
            mix_state = 900 + i * 4 + j;
            for (size_t k = 0; k < na + nb; k++) {
                x[k] = draw((int)(k % 5));
                sim_hist_add(k < na ? &a : &b, x[k]);
            }
            sim_hist_merge(&a, &b);
            assert_holds(&a, x, na + nb);
            assert_holds(&b, x + na, nb);   /* the source is unchanged */
            sim_hist_merge(&b, &a);         /* and into the other layout: b + (a + b) */
            assert_int_equal(b.count, na + 2 * nb);
            uint64_t want_b[SIM_HIST_NBUCKETS];
            count_buckets(x + na, nb, want_b);
            for (long k = 0; k < SIM_HIST_NBUCKETS; k++)
                assert_true(sim_hist_bucket(&b, k) == sim_hist_bucket(&a, k) + want_b[k]);
            sim_hist_fini(&a);
            sim_hist_fini(&b);
        }
    free(x);
}

/* Values at the extremes of a double: zero of both signs, the smallest subnormal and normal,
 * the largest finite and infinity, next to ordinary ones: in the underflow and overflow buckets,
 * exact minimum and maximum, and the same after a merge into a dense histogram. */
static void test_extremes(void **state)
{
    (void)state;
    const double v[] = { 0.0, -0.0, 0x1p-1074, 0x1p-1022, 1e-300, 0.25, 0.25, 3.0,
                         1e300, 0x1.fffffffffffffp1023, INFINITY };
    const size_t n = sizeof v / sizeof v[0];
    sim_hist h, big;
    sim_hist_init(&h);
    sim_hist_init(&big);
    for (size_t i = 0; i < n; i++)
        sim_hist_add(&h, v[i]);
    assert_holds(&h, v, n);
    assert_int_equal(sim_hist_bucket(&h, SIM_HIST_UNDERFLOW), 5);
    assert_int_equal(sim_hist_bucket(&h, SIM_HIST_OVERFLOW), 3);
    assert_true(sim_hist_quantile(&h, 0.0) == 0.0 && sim_hist_quantile(&h, 1.0) == INFINITY);
    assert_rel_within(sim_hist_quantile(&h, 6.0 / n), 0.25, SIM_HIST_REL_ERROR);
    assert_rel_within(sim_hist_quantile(&h, 8.0 / n), 3.0, SIM_HIST_REL_ERROR);
    mix_state = 3;
    for (int i = 0; i < 100000; i++)
        sim_hist_add(&big, lognormal());
    uint64_t before = big.count;
    sim_hist_merge(&big, &h);
    assert_int_equal(big.count, before + n);
    assert_true(big.min == 0.0 && big.max == INFINITY);
    assert_int_equal(sim_hist_bucket(&big, SIM_HIST_UNDERFLOW), 5);
    assert_int_equal(sim_hist_bucket(&big, SIM_HIST_OVERFLOW), 3);
    sim_hist_fini(&h);
    sim_hist_fini(&big);
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

/* sim_hist_add_zero is sim_hist_add(h, 0.0): the same buckets, count, sum, min and max, bit for
 * bit, whether zero comes first or after other values (negative ones included). */
static void test_add_zero_same_as_add(void **state)
{
    (void)state;
    const double before[][3] = { { NAN, NAN, NAN }, { 1e-3, 2.5, NAN }, { -1.0, 4.0, 1e-9 } };
    for (size_t k = 0; k < sizeof before / sizeof before[0]; k++) {
        sim_hist a, b;
        sim_hist_init(&a);
        sim_hist_init(&b);
        for (int i = 0; i < 3; i++) {
            sim_hist_add(&a, before[k][i]);
            sim_hist_add(&b, before[k][i]);
        }
        sim_hist_add(&a, 0.0);
        sim_hist_add_zero(&b);
        sim_hist_add(&a, 0.0);
        sim_hist_add_zero(&b);
        assert_int_equal(a.count, b.count);
        assert_int_equal(a.under, b.under);
        assert_memory_equal(&a.sum, &b.sum, sizeof a.sum);
        assert_memory_equal(&a.min, &b.min, sizeof a.min);
        assert_memory_equal(&a.max, &b.max, sizeof a.max);
        for (long i = -1; (i = sim_hist_next(&a, i, NULL, NULL, NULL)) >= 0;)
            assert_int_equal(sim_hist_bucket(&a, i), sim_hist_bucket(&b, i));
        assert_int_equal(sim_hist_bucket(&b, SIM_HIST_UNDERFLOW), a.under);
        sim_hist_fini(&a);
        sim_hist_fini(&b);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_fast_path_edges),
        cmocka_unit_test(test_add_zero_same_as_add),
        cmocka_unit_test(test_popcount),
        cmocka_unit_test(test_busy_cell_turns_dense),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_known_small),
        cmocka_unit_test(test_lognormal_million),
        cmocka_unit_test(test_merge_equals_all),
        cmocka_unit_test(test_underflow_overflow),
        cmocka_unit_test(test_iteration),
        cmocka_unit_test(test_reset_clears),
        cmocka_unit_test(test_lazy_buckets_and_enomem),
        cmocka_unit_test(test_cells_then_dense),
        cmocka_unit_test(test_quantiles_every_layout),
        cmocka_unit_test(test_merge_across_layouts),
        cmocka_unit_test(test_extremes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
