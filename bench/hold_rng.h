/* The random numbers of the hold benchmarks (bench/hold.c and bench/bare_hold.c): the same
 * splitmix64 sequence in both, so the two pop the same times and print the same checksum. */
#ifndef DESSA_BENCH_HOLD_RNG_H
#define DESSA_BENCH_HOLD_RNG_H

#include <stdint.h>

static uint64_t rng_state = 0x853c49e6748fea9bULL;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static double rng_u01(void) { return (double)((rng_next() >> 11) + 1) * 0x1p-53; }   /* (0, 1] */

#endif
