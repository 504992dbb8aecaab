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
    h->b = NULL;   /* allocated at the first value */
    h->lost = 0;
    return SIM_OK;
}

int sim_hist_alloc_(sim_hist *h)
{
    h->b = sim_calloc(SIM_HIST_NBUCKETS, sizeof *h->b);
    return h->b ? 0 : -1;
}

void sim_hist_add_slow_(sim_hist *h, double v)
{
    if (v != v)
        return;
    if (!h->b && sim_hist_alloc_(h) != 0) {
        h->lost++;   /* the owner checks `lost` and reports the shortage */
        return;
    }
    h->b[sim_hist_index(v)]++;
    h->count++;
    h->sum += v;
    if (v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
}

void sim_hist_fini(sim_hist *h)
{
    sim_free(h->b);
    h->b = NULL;
    clear_summary(h);
}

void sim_hist_reset(sim_hist *h)
{
    if (h->count > 0) {
        long lo = sim_hist_index(h->min), hi = sim_hist_index(h->max);
        memset(h->b + lo, 0, (size_t)(hi - lo + 1) * sizeof *h->b);
    }
    clear_summary(h);
}

void sim_hist_merge(sim_hist *dst, const sim_hist *src)
{
    if (src->count == 0)
        return;
    if (!dst->b && sim_hist_alloc_(dst) != 0) {
        dst->lost += src->count;
        return;
    }
    long lo = sim_hist_index(src->min), hi = sim_hist_index(src->max);
    for (long i = lo; i <= hi; i++)
        dst->b[i] += src->b[i];
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
    for (; i < last; i++) {
        seen += h->b[i];
        if (seen >= rank)
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
        if (h->b[j] == 0)
            continue;
        double l, u;
        bucket_bounds(h, j, &l, &u);
        if (lo)
            *lo = l;
        if (hi)
            *hi = u;
        if (count)
            *count = h->b[j];
        return j;
    }
    return -1;
}
