/* bare_hold: the hold model as a bare loop, the anchor for how far the cost of an event can
 * stay flat as the pending events grow from a thousand to a million on this machine.
 *
 * N records of PAYLOAD bytes each (one array, record i is event i's) and a 4-ary heap of
 * 16-byte entries (the time as an ordered integer, the record's index and a 32-bit insertion
 * number for ties), compared without branches as dessa's calendar does. Each step pops the
 * earliest entry, touches its record (reads and writes one word in every cache line of it, as a
 * handler reads its event and its request records), and pushes it again at its time plus an
 * increment exponential with mean 1 (the generator and the order of bench/hold.c: the same
 * checksum). No engine, no pools, no buckets: the heap's own
 * misses and one record's lines are all there is, so what it costs at 10^6 beyond 10^3 is the
 * memory's latency, not code.
 *
 * usage: bare_hold N STEPS [PAYLOAD (bytes, default 408: two request records and an event)]
 * Prints one line: N, steps, payload, CPU ns per step (user + system, after a warm-up of N steps)
 * and a checksum of the popped times. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hold_rng.h"

typedef struct {
    uint64_t key;         /* the time's bits, turned so that unsigned order is numeric order */
    uint32_t idx, seq;    /* the record; the insertion number (ties; wraps after 2^32 pushes) */
} entry;

static inline uint64_t time_key(double t)
{
    uint64_t b;
    memcpy(&b, &t, sizeof b);
    return b ^ ((uint64_t)((int64_t)b >> 63) | (UINT64_C(1) << 63));
}

static inline double key_time(uint64_t k)
{
    uint64_t b = k >> 63 ? k ^ (UINT64_C(1) << 63) : ~k;
    double t;
    memcpy(&t, &b, sizeof t);
    return t;
}

static double rng_exp(void) { return -log(rng_u01()); }

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Without branches: the heap's comparisons are unpredictable. */
static inline int less(const entry *a, const entry *b)
{
    return (a->key < b->key) | ((a->key == b->key) & (a->seq < b->seq));
}

static entry *heap;
static size_t hn;

static void push(entry e)
{
    size_t i = hn++;
    while (i > 0) {
        size_t p = (i - 1) / 4;
        if (!less(&e, &heap[p]))
            break;
        heap[i] = heap[p];
        i = p;
    }
    heap[i] = e;
}

static entry pop(void)
{
    entry top = heap[0], e = heap[--hn];
    size_t i = 0;
    for (;;) {
        size_t c = 4 * i + 1, m = c;
        if (c >= hn)
            break;
        if (c + 4 <= hn) {   /* four children: a tournament, as dessa's calendar does */
            const entry *h = &heap[c];
            size_t x = less(&h[1], &h[0]), y = 2 + less(&h[3], &h[2]);
            m += less(&h[y], &h[x]) ? y : x;
        } else {
            for (size_t k = c + 1; k < hn; k++)
                if (less(&heap[k], &heap[m]))
                    m = k;
        }
        if (!less(&heap[m], &e))
            break;
        heap[i] = heap[m];
        i = m;
    }
    heap[i] = e;
    return top;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bare_hold N STEPS [PAYLOAD_BYTES]\n");
        return 2;
    }
    size_t n = strtoull(argv[1], NULL, 10), steps = strtoull(argv[2], NULL, 10);
    size_t payload = argc > 3 ? strtoull(argv[3], NULL, 10) : 408;
    if (n == 0 || n > UINT32_MAX) {
        fprintf(stderr, "bare_hold: 0 < N < 2^32\n");
        return 2;
    }
    size_t words = (payload + 7) / 8, stride = words ? words : 1;
    uint64_t *rec = calloc(n * stride, sizeof *rec);
    heap = malloc(n * sizeof *heap);
    if (!rec || !heap)
        return 1;
    uint32_t seq = 0;
    for (size_t i = 0; i < n; i++)
        push((entry){ time_key(rng_exp()), (uint32_t)i, seq++ });
    double sum = 0, t0 = 0;
    uint64_t touched = 0;
    for (size_t s = 0; s < n + steps; s++) {
        if (s == n)
            t0 = cpu_seconds();
        entry e = pop();
        double t = key_time(e.key);
        sum += t;
        if (words) {   /* one word in every cache line of the record: read and write */
            uint64_t *r = rec + (size_t)e.idx * stride;
            for (size_t w = 0; w < words; w += 8)
                touched += r[w]++;
        }
        e.key = time_key(t + rng_exp());
        e.seq = seq++;
        push(e);
    }
    double cpu = cpu_seconds() - t0;
    printf("bare_hold n=%zu steps=%zu payload=%zu ns_per_step=%.1f checksum=%.17g touched=%llu\n",
           n, steps, payload, cpu / (double)steps * 1e9, sum, (unsigned long long)touched);
    free(rec);
    free(heap);
    return 0;
}
