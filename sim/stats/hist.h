/* hist: a log-linear latency histogram (HdrHistogram-like) for values in seconds.
 *
 * Each power of two in [2^-30, 2^20) seconds is split into SIM_HIST_SUB = 128 equal sub-buckets;
 * the bucket of a value is read straight off its IEEE-754 bits (exponent and the top 7 mantissa
 * bits), so adding a value costs a few nanoseconds and no log(). Values below 2^-30 (zero and, if
 * ever given, negatives) go to an underflow bucket and values at or above 2^20 (including +inf) to
 * an overflow bucket. count, sum, min and max are exact.
 *
 * Quantiles are reported as the midpoint of the bucket that holds the wanted rank, clamped into
 * [min, max]. A bucket [lo, lo + lo/128) has half-width lo/256, so for any value inside the covered
 * range the reported quantile is within a relative error of SIM_HIST_REL_ERROR = 2^-8 (~0.39%) of
 * the exact order statistic. Ranks falling in the underflow or overflow bucket carry no such bound
 * (they are still clamped into [min, max]); rank 1 and rank count are answered exactly (min, max).
 *
 * Storage follows the values, in two layouts that hold the same buckets. A histogram starts with
 * no memory but its record (88 bytes). Its first values go to **cells**: a sorted array of
 * (bucket, count) pairs, 8 bytes each, grown 4, 8, ... up to SIM_HIST_CELLS. When the cells are
 * full and a value needs a new one, the octave with the most cells turns **dense** (and so does
 * the octave of a cell that has counted SIM_HIST_HOT values, so that values crowded into a few
 * buckets are not searched for among the cells one by one): SIM_HIST_SUB
 * counters (1 KB) more in the histogram's one block of dense octaves (kept by increasing octave),
 * its cells moved into them; a bit of the record's dmask says which octaves are dense and the
 * bits below it where its counters are, so a value of a dense octave costs one step from the
 * record to its counter, not two through a table of pointers. A bucket lives in exactly one
 * place: the counters of a dense octave, or a cell when its octave is not dense. So a histogram
 * of a few dozen values costs a few hundred bytes, one of millions the dense octaves its values
 * span, and quantiles, merges and the buckets written are the same whatever the layout. The
 * touched buckets always lie between the buckets of min and max, so reset and merge only visit
 * that span: resetting a histogram every sample interval costs little when values are
 * clustered. */
#ifndef SIM_HIST_H
#define SIM_HIST_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SIM_HIST_SUB_BITS 7
#define SIM_HIST_SUB (1 << SIM_HIST_SUB_BITS)          /* sub-buckets per power of two */
#define SIM_HIST_MIN_EXP (-30)                          /* lowest covered value: 2^-30 s */
#define SIM_HIST_MAX_EXP 20                             /* covered values end below 2^20 s */
#define SIM_HIST_OCTAVES (SIM_HIST_MAX_EXP - SIM_HIST_MIN_EXP)
#define SIM_HIST_NBUCKETS (SIM_HIST_OCTAVES * SIM_HIST_SUB + 2) /* + underflow + overflow */
#define SIM_HIST_UNDERFLOW 0L                           /* index of the underflow bucket */
#define SIM_HIST_OVERFLOW ((long)SIM_HIST_NBUCKETS - 1) /* index of the overflow bucket */
#define SIM_HIST_LOWEST 0x1p-30                         /* 2^SIM_HIST_MIN_EXP */
#define SIM_HIST_HIGHEST 0x1p20                         /* 2^SIM_HIST_MAX_EXP */
#define SIM_HIST_REL_ERROR 0.00390625                   /* 2^-8: bound on quantile relative error */

#define SIM_HIST_CELLS 64                              /* most cells before an octave turns dense */
#define SIM_HIST_HOT 1024                              /* a cell's count that turns its octave dense */

/* The layout's limits: an octave's bit in the 64-bit dmask, the cells counted in 16 bits. */
_Static_assert(SIM_HIST_OCTAVES <= 64, "octaves must fit the dense-octave mask");
_Static_assert(SIM_HIST_CELLS <= 65535, "cells must fit their 16-bit count");
_Static_assert(SIM_HIST_HOT <= UINT32_MAX, "a busy cell turns dense before its count overflows");

/* A bucket of an octave that is not dense, and its count. */
typedef struct sim_hist_cell {
    uint32_t bucket;
    uint32_t n;
} sim_hist_cell;

typedef struct sim_hist {
    uint64_t count;   /* values added (NaNs are ignored and not counted) */
    double sum;       /* exact sum of the values added */
    double min, max;  /* +inf / -inf while empty */
    uint64_t *dense;  /* the dense octaves' counters, SIM_HIST_SUB each, in one block by increasing
                         octave (NULL until an octave turns dense) */
    uint64_t dmask;   /* bit o set when octave o is dense: its counters come after those of the
                         dense octaves below it. Read beside count and sum, no table to fetch
                         between the record and the counter */
    uint16_t ncell, capcell;
    sim_hist_cell *cell;    /* the buckets of the other octaves, by increasing bucket */
    uint64_t under, over;   /* the underflow and overflow buckets */
    uint64_t lost;    /* values not recorded because memory for them could not be allocated */
} sim_hist;

/* The bits set in x, summed by halves: a dozen instructions, inline. */
static inline unsigned sim_popcount64_halves_(uint64_t x)
{
    x -= x >> 1 & UINT64_C(0x5555555555555555);
    x = (x & UINT64_C(0x3333333333333333)) + (x >> 2 & UINT64_C(0x3333333333333333));
    x = (x + (x >> 4)) & UINT64_C(0x0f0f0f0f0f0f0f0f);
    return (unsigned)((x * UINT64_C(0x0101010101010101)) >> 56);
}

/* The bits set in x. Where the processor's instruction is not assumed (x86-64's baseline has no
 * POPCNT; CMakeLists.txt adds -mpopcnt when the building machine has it), GCC turns
 * __builtin_popcountll into a call to libgcc's table-driven routine: on M/M/1 that call cost 82
 * instructions a customer (docs/performance.md, "A popcount that is not a call"), so the sum by
 * halves stands in for it. */
static inline unsigned sim_popcount64(uint64_t x)
{
#if defined(__POPCNT__) || defined(__aarch64__)
    return (unsigned)__builtin_popcountll(x);
#else
    return sim_popcount64_halves_(x);
#endif
}

/* Where octave o's counters start in the block of dense octaves (those of the dense octaves below
 * it come first). */
static inline size_t sim_hist_slot_(uint64_t dmask, long o)
{
    return (size_t)sim_popcount64(dmask & ((UINT64_C(1) << o) - 1)) * SIM_HIST_SUB;
}

/* The counters of octave o when it is dense, NULL otherwise. */
static inline uint64_t *sim_hist_octave_(const sim_hist *h, long o)
{
    return h->dmask >> o & 1 ? h->dense + sim_hist_slot_(h->dmask, o) : NULL;
}

/* The count in bucket i (the layout above: 0 underflow, then SIM_HIST_SUB per octave, then
 * overflow). */
uint64_t sim_hist_bucket(const sim_hist *h, long i);

/* Bytes allocated for the buckets: dense octaves, their pointer table and the cells. */
size_t sim_hist_memory(const sim_hist *h);

/* Empties the histogram; the buckets' memory comes with the values (a failure to allocate it
 * counts the value in `lost`). Returns SIM_OK. */
int sim_hist_init(sim_hist *h);

/* Releases the buckets' memory; h must be re-initialised before further use. Safe after a failed
 * init and twice. */
void sim_hist_fini(sim_hist *h);

/* Empties an initialised histogram (its dense octaves stay allocated, zeroed, and its cells'
 * room); costs O(buckets between min and max). */
void sim_hist_reset(sim_hist *h);

/* Bucket index of a non-NaN value (the bucket layout described above). */
static inline long sim_hist_index(double v)
{
    if (v < SIM_HIST_LOWEST)
        return SIM_HIST_UNDERFLOW;
    if (v >= SIM_HIST_HIGHEST)
        return SIM_HIST_OVERFLOW;
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    /* bits >> 45 = biased exponent * 128 + top 7 mantissa bits: monotonic in v for v > 0 */
    long key = (long)(bits >> (52 - SIM_HIST_SUB_BITS));
    return key - (long)(1023 + SIM_HIST_MIN_EXP) * SIM_HIST_SUB + 1;
}

/* The exact summary of a value just counted in its bucket: count, sum, min, max. */
static inline void sim_hist_note_(sim_hist *h, double v)
{
    h->count++;
    h->sum += v;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
}

/* The slow path of sim_hist_add: NaN, values outside the covered range, values of an octave that
 * is not dense. */
void sim_hist_add_slow_(struct sim_hist *h, double v);

/* Adds one value. NaN is ignored. The hot path: one predictable branch (a value inside the
 * covered range, its octave dense) and the min/max checks. The bucket is read off the bits
 * directly: any value outside [2^-30, 2^20) -- zero, negatives, NaN, +inf included -- gives a
 * position outside [0, OCTAVES x SUB) (as an unsigned number) and takes the slow path. */
static inline void sim_hist_add(sim_hist *h, double v)
{
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    uint64_t j = (bits >> (52 - SIM_HIST_SUB_BITS)) -
                 (uint64_t)((1023 + SIM_HIST_MIN_EXP) * SIM_HIST_SUB);
    if (__builtin_expect(j >= (uint64_t)SIM_HIST_OCTAVES * SIM_HIST_SUB ||
                             !(h->dmask >> (j / SIM_HIST_SUB) & 1), 0)) {
        sim_hist_add_slow_(h, v);
        return;
    }
    h->dense[sim_hist_slot_(h->dmask, (long)(j / SIM_HIST_SUB)) + j % SIM_HIST_SUB]++;
    sim_hist_note_(h, v);
}

/* Adds the value +0 (to the underflow bucket): sim_hist_add(h, 0.0) without its tests, for a
 * caller that knows its value is zero (a wait that did not happen). */
static inline void sim_hist_add_zero(sim_hist *h)
{
    h->under++;
    sim_hist_note_(h, 0.0);
}

/* Adds every value of src into dst (both initialised, dst != src): afterwards dst equals a histogram
 * that was given both sets of values. */
void sim_hist_merge(sim_hist *dst, const sim_hist *src);

/* The q-quantile (q in [0, 1], clamped; NaN q gives NAN): the midpoint of the bucket holding rank
 * ceil(q * count) (at least 1), clamped into [min, max]; exactly min for rank 1 and exactly max for
 * rank count. NAN when empty. */
double sim_hist_quantile(const sim_hist *h, double q);

/* The exact mean sum / count, NAN when empty. */
double sim_hist_mean(const sim_hist *h);

/* Iterates over the non-empty buckets in increasing order. Pass i = -1 to get the first; pass the
 * returned index to get the next. Returns the bucket index, or -1 when there are no more. For each
 * returned bucket stores its bounds [*lo, *hi) and its count (any pointer may be NULL). The
 * underflow bucket reports [min(0, min), 2^-30); the overflow bucket reports [2^20, max]. */
long sim_hist_next(const sim_hist *h, long i, double *lo, double *hi, uint64_t *count);

#endif
