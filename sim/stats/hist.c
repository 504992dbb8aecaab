/* hist: a log-linear latency histogram; see hist.h for the bucket layout and the error bound. */
#include "stats/hist.h"

#include <math.h>

#include "core/alloc.h"
#include "core/error.h"

/* Empties the summary fields (not the buckets). */
static void clear_summary(sim_hist *h)
{
    h->count = 0;
    h->sum = 0.0;
    h->min = INFINITY;
    h->max = -INFINITY;
}

int sim_hist_init(sim_hist *h)
{
    clear_summary(h);
    memset(h->oct, 0, sizeof h->oct);   /* each octave allocated at its first value */
    h->under = h->over = 0;
    h->lost = 0;
    return SIM_OK;
}

size_t sim_hist_memory(const sim_hist *h)
{
    size_t n = 0;
    for (int o = 0; o < SIM_HIST_OCTAVES; o++)
        n += h->oct[o] ? SIM_HIST_SUB * sizeof *h->oct[o] : 0;
    return n;
}

/* The counter of bucket i (inside the covered range), its octave allocated if need be; NULL
 * when out of memory. */
static uint64_t *counter(sim_hist *h, long i)
{
    long o = (i - 1) / SIM_HIST_SUB;
    if (!h->oct[o] && !(h->oct[o] = sim_calloc(SIM_HIST_SUB, sizeof *h->oct[o])))
        return NULL;
    return &h->oct[o][(i - 1) % SIM_HIST_SUB];
}

void sim_hist_add_slow_(sim_hist *h, double v)
{
    if (v != v)
        return;
    long i = sim_hist_index(v);
    if (i == SIM_HIST_UNDERFLOW) {
        h->under++;
    } else if (i == SIM_HIST_OVERFLOW) {
        h->over++;
    } else {
        uint64_t *c = counter(h, i);
        if (!c) {
            h->lost++;   /* the owner checks `lost` and reports the shortage */
            return;
        }
        (*c)++;
    }
    sim_hist_note_(h, v);
}

void sim_hist_fini(sim_hist *h)
{
    for (int o = 0; o < SIM_HIST_OCTAVES; o++) {
        sim_free(h->oct[o]);
        h->oct[o] = NULL;
    }
    h->under = h->over = 0;
    clear_summary(h);
}

/* The octaves [*first, *last] that the buckets lo..hi fall in (the covered part of them). */
static void octaves(long lo, long hi, long *first, long *last)
{
    lo = lo < 1 ? 1 : lo;
    hi = hi > SIM_HIST_NBUCKETS - 2 ? SIM_HIST_NBUCKETS - 2 : hi;
    *first = (lo - 1) / SIM_HIST_SUB;
    *last = hi >= lo ? (hi - 1) / SIM_HIST_SUB : *first - 1;
}

void sim_hist_reset(sim_hist *h)
{
    if (h->count > 0) {
        long first, last;
        octaves(sim_hist_index(h->min), sim_hist_index(h->max), &first, &last);
        for (long o = first; o <= last; o++)
            if (h->oct[o])
                memset(h->oct[o], 0, SIM_HIST_SUB * sizeof *h->oct[o]);
    }
    h->under = h->over = 0;
    clear_summary(h);
}

void sim_hist_merge(sim_hist *dst, const sim_hist *src)
{
    if (src->count == 0)
        return;
    long first, last;
    octaves(sim_hist_index(src->min), sim_hist_index(src->max), &first, &last);
    for (long o = first; o <= last; o++)   /* every octave needed first: all or nothing */
        if (src->oct[o] && !dst->oct[o] &&
            !(dst->oct[o] = sim_calloc(SIM_HIST_SUB, sizeof *dst->oct[o]))) {
            dst->lost += src->count;
            return;
        }
    for (long o = first; o <= last; o++)
        if (src->oct[o])
            for (int k = 0; k < SIM_HIST_SUB; k++)
                dst->oct[o][k] += src->oct[o][k];
    dst->under += src->under;
    dst->over += src->over;
    dst->count += src->count;
    dst->sum += src->sum;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

/* Bounds [*lo, *hi) of bucket i as described for sim_hist_next. */
static void bucket_bounds(const sim_hist *h, long i, double *lo, double *hi)
{
    if (i == SIM_HIST_UNDERFLOW) {
        *lo = h->min < 0.0 ? h->min : 0.0;
        *hi = SIM_HIST_LOWEST;
    } else if (i == SIM_HIST_OVERFLOW) {
        *lo = SIM_HIST_HIGHEST;
        *hi = h->max;
    } else {
        long k = i - 1;
        int e = (int)(k / SIM_HIST_SUB) + SIM_HIST_MIN_EXP;
        double sub = (double)(k % SIM_HIST_SUB);
        *lo = ldexp(1.0 + sub / SIM_HIST_SUB, e);
        *hi = ldexp(1.0 + (sub + 1.0) / SIM_HIST_SUB, e);
    }
}

double sim_hist_quantile(const sim_hist *h, double q)
{
    if (h->count == 0 || q != q)
        return NAN;
    if (q < 0.0)
        q = 0.0;
    if (q > 1.0)
        q = 1.0;
    double r = ceil(q * (double)h->count);
    uint64_t rank = r < 1.0 ? 1 : (uint64_t)r;
    if (rank >= h->count)
        return h->max;
    if (rank == 1)
        return h->min;
    long i = sim_hist_index(h->min), last = sim_hist_index(h->max);
    uint64_t seen = 0;
    while (i < last) {   /* an octave at a time; one never touched holds nothing */
        if (i == SIM_HIST_UNDERFLOW) {
            if ((seen += h->under) >= rank)
                break;
            i++;
            continue;
        }
        long o = (i - 1) / SIM_HIST_SUB, end = (o + 1) * SIM_HIST_SUB + 1;
        end = end < last ? end : last;
        const uint64_t *b = h->oct[o];
        if (!b) {
            i = end;
            continue;
        }
        for (; i < end; i++)
            if ((seen += b[(i - 1) % SIM_HIST_SUB]) >= rank)
                break;
        if (i < end)
            break;
    }
    double lo, hi;
    bucket_bounds(h, i, &lo, &hi);
    double mid = lo + (hi - lo) * 0.5;
    if (mid < h->min)
        mid = h->min;
    if (mid > h->max)
        mid = h->max;
    return mid;
}

double sim_hist_mean(const sim_hist *h)
{
    return h->count ? h->sum / (double)h->count : NAN;
}

long sim_hist_next(const sim_hist *h, long i, double *lo, double *hi, uint64_t *count)
{
    if (h->count == 0)
        return -1;
    long first = sim_hist_index(h->min), last = sim_hist_index(h->max);
    long j = i < first ? first : i + 1;
    for (; j <= last; j++) {
        if (j > SIM_HIST_UNDERFLOW && j < SIM_HIST_OVERFLOW && !h->oct[(j - 1) / SIM_HIST_SUB]) {
            j = ((j - 1) / SIM_HIST_SUB + 1) * SIM_HIST_SUB;   /* past an untouched octave */
            continue;
        }
        uint64_t c = sim_hist_bucket(h, j);
        if (c == 0)
            continue;
        double l, u;
        bucket_bounds(h, j, &l, &u);
        if (lo)
            *lo = l;
        if (hi)
            *hi = u;
        if (count)
            *count = c;
        return j;
    }
    return -1;
}
