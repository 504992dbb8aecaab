/* bare_mm1: the reference "bare loop" for benchmarks. A self-contained M/M/1 queue simulation
 * (libc + libm only) with a binary-heap event list ordered by (time, insertion number), the same
 * model the simulator runs, used as the speed baseline the engine is compared against.
 *
 * usage: bare_mm1 [customers (default 10000000)] [rho (default 0.9)]; mu = 1, lambda = rho.
 * Prints one line of key=value pairs. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

enum { EV_ARRIVAL, EV_DEPARTURE };

typedef struct event { double t; uint64_t seq; int kind; } event;

typedef struct heap { event *a; size_t n, cap; uint64_t seq; } heap;

/* xoshiro256** seeded through splitmix64. */
static uint64_t rng_s[4];

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static void rng_seed(uint64_t seed)
{
    for (int i = 0; i < 4; i++) {
        uint64_t z = (seed += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        rng_s[i] = z ^ (z >> 31);
    }
}

static uint64_t rng_next(void)
{
    uint64_t r = rotl(rng_s[1] * 5, 7) * 9, t = rng_s[1] << 17;
    rng_s[2] ^= rng_s[0];
    rng_s[3] ^= rng_s[1];
    rng_s[1] ^= rng_s[2];
    rng_s[0] ^= rng_s[3];
    rng_s[2] ^= t;
    rng_s[3] = rotl(rng_s[3], 45);
    return r;
}

/* Exponential sample with the given rate; u in (0, 1] so log(u) is finite. */
static double expo(double rate)
{
    double u = ((double)(rng_next() >> 11) + 1.0) * 0x1p-53;
    return -log(u) / rate;
}

static int before(const event *x, const event *y)
{
    return x->t < y->t || (x->t == y->t && x->seq < y->seq);
}

static void die(const char *msg)
{
    fprintf(stderr, "bare_mm1: %s\n", msg);
    exit(1);
}

static void push(heap *h, double t, int kind)
{
    if (h->n == h->cap) {
        h->cap = h->cap ? 2 * h->cap : 16;
        h->a = realloc(h->a, h->cap * sizeof *h->a);
        if (!h->a)
            die("out of memory");
    }
    event e = {t, h->seq++, kind};
    size_t i = h->n++;
    while (i > 0 && before(&e, &h->a[(i - 1) / 2])) {
        h->a[i] = h->a[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->a[i] = e;
}

static event pop(heap *h)
{
    event top = h->a[0], last = h->a[--h->n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && before(&h->a[c + 1], &h->a[c]))
            c++;
        if (!before(&h->a[c], &last))
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (h->n)
        h->a[i] = last;
    return top;
}

/* FIFO of arrival times of the customers in the system (a growable ring, power-of-two size). */
typedef struct fifo { double *a; size_t head, n, cap; } fifo;

static void fifo_push(fifo *q, double t)
{
    if (q->n == q->cap) {
        size_t cap = q->cap ? 2 * q->cap : 1024;
        double *a = malloc(cap * sizeof *a);
        if (!a)
            die("out of memory");
        for (size_t i = 0; i < q->n; i++)
            a[i] = q->a[(q->head + i) & (q->cap - 1)];
        free(q->a);
        q->a = a;
        q->head = 0;
        q->cap = cap;
    }
    q->a[(q->head + q->n++) & (q->cap - 1)] = t;
}

static double fifo_pop(fifo *q)
{
    double t = q->a[q->head];
    q->head = (q->head + 1) & (q->cap - 1);
    q->n--;
    return t;
}

int main(int argc, char **argv)
{
    uint64_t customers = argc > 1 ? strtoull(argv[1], NULL, 10) : 10000000ULL;
    double rho = argc > 2 ? strtod(argv[2], NULL) : 0.9;
    if (customers == 0 || !(rho > 0.0 && rho < 1.0))
        die("usage: bare_mm1 [customers > 0] [0 < rho < 1]");
    const double mu = 1.0, lambda = rho * mu;

    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    rng_seed(20240601);
    heap h = {0};
    fifo q = {0};
    uint64_t arrived = 0, departed = 0, events = 0;
    double now = 0.0, last = 0.0, area = 0.0, resp_sum = 0.0;
    push(&h, expo(lambda), EV_ARRIVAL);
    while (h.n) {
        event e = pop(&h);
        events++;
        now = e.t;
        area += (double)q.n * (now - last);
        last = now;
        if (e.kind == EV_ARRIVAL) {
            arrived++;
            if (arrived < customers)
                push(&h, now + expo(lambda), EV_ARRIVAL);
            if (q.n == 0)
                push(&h, now + expo(mu), EV_DEPARTURE);
            fifo_push(&q, now);
        } else {
            resp_sum += now - fifo_pop(&q);
            departed++;
            if (q.n)
                push(&h, now + expo(mu), EV_DEPARTURE);
        }
    }

    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    struct rusage ru;
    long rss = getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
    printf("customers=%llu events=%llu seconds=%.6f events_per_sec=%.0f mean_response=%.6f "
           "theory_response=%.6f mean_in_system=%.6f theory_in_system=%.6f peak_rss_kb=%ld\n",
           (unsigned long long)departed, (unsigned long long)events, secs,
           secs > 0 ? (double)events / secs : 0.0, resp_sum / (double)departed,
           1.0 / (mu - lambda), now > 0 ? area / now : 0.0, rho / (1.0 - rho), rss);
    free(h.a);
    free(q.a);
    return 0;
}
