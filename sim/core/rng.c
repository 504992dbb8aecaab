/* rng: seeding of the named random streams (see rng.h). The generator itself is inline in the
 * header; this unit derives a stream's starting state from (seed, replication, name). */
#include "core/rng.h"

#include <math.h>

#include "core/ziggurat_tables.h"

#include <stddef.h>

/* The splitmix64 finaliser: a bijective 64-bit mixer with full avalanche. */
static uint64_t mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

uint64_t sim_rng_splitmix64(uint64_t *state)
{
    *state += UINT64_C(0x9e3779b97f4a7c15);
    return mix64(*state);
}

/* A 64-bit hash of the bytes of name: the bytes are read in little-endian 8-byte words (the last
 * one zero-padded), each word is folded into the running value through the bijective mixer, and
 * the length is folded in last so that names differing only in trailing zero padding differ. */
static uint64_t hash_name(const char *name)
{
    uint64_t h = UINT64_C(0x243f6a8885a308d3);   /* digits of pi: any fixed non-zero start */
    size_t len = 0;
    if (name) {
        const unsigned char *p = (const unsigned char *)name;
        for (;;) {
            uint64_t w = 0;
            int k = 0;
            while (k < 8 && p[k]) {
                w |= (uint64_t)p[k] << (8 * k);
                k++;
            }
            if (k == 0)
                break;
            h = mix64(h ^ w) + UINT64_C(0x9e3779b97f4a7c15);
            len += (size_t)k;
            p += k;
            if (k < 8)
                break;
        }
    }
    return mix64(h ^ (uint64_t)len);
}

void sim_rng_init(sim_rng *r, uint64_t seed, uint64_t rep, const char *name)
{
    /* Each stage is a bijection of the value it folds in, so changing any one of seed, rep or the
     * name hash changes the splitmix starting point. */
    uint64_t x = mix64(seed + UINT64_C(0x6a09e667f3bcc909));
    x = mix64(x ^ (rep + UINT64_C(0xbb67ae8584caa73b)));
    x = mix64(x ^ hash_name(name));
    for (int i = 0; i < 4; i++)
        r->s[i] = sim_rng_splitmix64(&x);
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)   /* the one forbidden state */
        r->s[0] = 1;
}

/* The rare paths of sim_rng_exp1: u's point fell in the part of its layer that pokes out of the
 * curve (accept it with probability proportional to how far below the curve it is), or in the
 * base strip beyond R (the tail, memoryless: R plus a fresh exponential). Otherwise draw again. */
double sim_rng_exp1_slow_(sim_rng *r, uint64_t u)
{
    for (;;) {
        uint64_t j = u >> 11;
        unsigned i = (unsigned)(u & 0xff);
        if (j < sim_zig_k[i])
            return (double)j * sim_zig_w[i];
        if (i == 0)
            return SIM_ZIG_R - log(sim_rng_uniform(r));
        double x = (double)j * sim_zig_w[i];
        if (sim_zig_f[i] + sim_rng_uniform(r) * (sim_zig_f[i - 1] - sim_zig_f[i]) < exp(-x))
            return x;
        u = sim_rng_next(r);
    }
}
