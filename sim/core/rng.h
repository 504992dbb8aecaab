/* rng: named random streams.
 *
 * Each stream is a xoshiro256** generator (Blackman & Vigna) whose 256-bit state is derived from
 * (seed, replication, component name): the name bytes are hashed to 64 bits, the hash is mixed with
 * the seed and the replication number, and the result seeds a splitmix64 sequence that fills the
 * state. A stream therefore depends only on those three values, never on how many other streams
 * were created before it or in which order.
 *
 * The generator functions are inline because they sit on the simulation's hot path. */
#ifndef SIM_RNG_H
#define SIM_RNG_H

#include <stdint.h>

typedef struct sim_rng {
    uint64_t s[4];   /* xoshiro256** state; never all zero after sim_rng_init */
} sim_rng;

/* Seeds *r for the stream identified by (seed, rep, name). name may be NULL, which is the same
 * stream as "". Equal triples give identical sequences; differing triples give unrelated ones. */
void sim_rng_init(sim_rng *r, uint64_t seed, uint64_t rep, const char *name);

/* Advances *state by one splitmix64 step and returns the step's output (Vigna's splitmix64).
 * Exposed for seeding derived generators and for checking against published values. */
uint64_t sim_rng_splitmix64(uint64_t *state);

static inline uint64_t sim_rng_rotl_(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* Returns the next 64-bit output of the stream (xoshiro256**) and advances it. */
static inline uint64_t sim_rng_next(sim_rng *r)
{
    uint64_t *s = r->s;
    const uint64_t out = sim_rng_rotl_(s[1] * 5u, 7) * 9u;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = sim_rng_rotl_(s[3], 45);
    return out;
}

/* Returns a double strictly inside (0,1), in [2^-53, 1 - 2^-53]: the top 52 bits of one output,
 * centred in their cell, so neither 0 nor 1 is ever returned (log(u), log(1-u) and 1/u are always
 * finite). Consumes one output. 52 bits, not 53: k + 0.5 is exact in a double only for k < 2^52
 * (with 53 bits the top value would round up to exactly 1.0). */
static inline double sim_rng_uniform(sim_rng *r)
{
    return ((double)(sim_rng_next(r) >> 12) + 0.5) * 0x1p-52;
}

/* High and low 64-bit halves of the 128-bit product a*b. */
static inline uint64_t sim_rng_mul128_(uint64_t a, uint64_t b, uint64_t *lo)
{
#if defined(__SIZEOF_INT128__)
    __extension__ typedef unsigned __int128 sim_u128_;
    sim_u128_ p = (sim_u128_)a * b;
    *lo = (uint64_t)p;
    return (uint64_t)(p >> 64);
#else
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    *lo = (mid << 32) | (p00 & 0xffffffffu);
    return p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
#endif
}

/* Returns an integer uniformly distributed in [0, n), without bias, for n > 0 (Lemire's
 * multiply-and-reject method; usually consumes one output, occasionally more). n == 0 returns 0. */
static inline uint64_t sim_rng_below(sim_rng *r, uint64_t n)
{
    uint64_t lo;
    uint64_t hi;
    if (n == 0)
        return 0;
    hi = sim_rng_mul128_(sim_rng_next(r), n, &lo);
    if (lo < n) {
        const uint64_t threshold = (0 - n) % n;   /* 2^64 mod n */
        while (lo < threshold)
            hi = sim_rng_mul128_(sim_rng_next(r), n, &lo);
    }
    return hi;
}

#endif
