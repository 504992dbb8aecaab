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
    h->dense = NULL;   /* memory comes with the values: cells, then dense octaves */
    h->dmask = 0;
    h->cell = NULL;
    h->ncell = h->capcell = 0;
    h->under = h->over = 0;
    h->lost = 0;
    return SIM_OK;
}

size_t sim_hist_memory(const sim_hist *h)
{
    return h->capcell * sizeof *h->cell +
           (size_t)sim_popcount64(h->dmask) * SIM_HIST_SUB * sizeof *h->dense;
}

/* The first cell whose bucket is at least b (ncell if none). */
static uint32_t cell_at(const sim_hist *h, long b)
{
    uint32_t lo = 0, hi = h->ncell;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if ((long)h->cell[mid].bucket < b)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

uint64_t sim_hist_bucket(const sim_hist *h, long i)
{
    if (i <= SIM_HIST_UNDERFLOW)
        return h->under;
    if (i >= SIM_HIST_OVERFLOW)
        return h->over;
    const uint64_t *o = sim_hist_octave_(h, (i - 1) / SIM_HIST_SUB);
    if (o)
        return o[(i - 1) % SIM_HIST_SUB];
    uint32_t k = cell_at(h, i);
    return k < h->ncell && h->cell[k].bucket == (uint32_t)i ? h->cell[k].n : 0;
}

/* Makes octave o dense, its cells moved into its counters. 0, or -1 when out of memory (the
 * buckets are then as they were). */
static int densify(sim_hist *h, long o)
{
    size_t n = (size_t)sim_popcount64(h->dmask) + 1, at = sim_hist_slot_(h->dmask, o);
    uint64_t *d = sim_realloc(h->dense, n * SIM_HIST_SUB * sizeof *d);
    if (!d)
        return -1;
    h->dense = d;
    uint64_t *c = d + at;   /* the octaves above o move up to make room */
    memmove(c + SIM_HIST_SUB, c, (n * SIM_HIST_SUB - at - SIM_HIST_SUB) * sizeof *d);
    memset(c, 0, SIM_HIST_SUB * sizeof *c);
    long first = o * SIM_HIST_SUB + 1, end = first + SIM_HIST_SUB;
    uint32_t a = cell_at(h, first), b = a;
    for (; b < h->ncell && (long)h->cell[b].bucket < end; b++)
        c[h->cell[b].bucket - first] = h->cell[b].n;
    if (b > a) {   /* (a histogram without cells may have no array: no memmove of NULL) */
        memmove(h->cell + a, h->cell + b, (h->ncell - b) * sizeof *h->cell);
        h->ncell = (uint16_t)(h->ncell - (b - a));
    }
    h->dmask |= UINT64_C(1) << o;
    return 0;
}

/* The octave with the most cells (the lowest of those tied); the cells are not empty. */
static long busiest(const sim_hist *h)
{
    long best = -1, run = 0, most = 0, cur = -1;
    for (uint32_t k = 0; k < h->ncell; k++) {
        long o = ((long)h->cell[k].bucket - 1) / SIM_HIST_SUB;
        run = o == cur ? run + 1 : 1;
        cur = o;
        if (run > most) {
            most = run;
            best = o;
        }
    }
    return best;
}

/* Adds n to the count of bucket i (inside the covered range): in its dense octave, or in its
 * cell (a new cell may make room by turning the busiest octave dense). 0, or -1 when out of
 * memory (nothing counted). */
static int add_count(sim_hist *h, long i, uint64_t n)
{
    long o = (i - 1) / SIM_HIST_SUB;
    if (!(h->dmask >> o & 1) && h->ncell) {
        /* The cells of a histogram not used lately are out of the cache, and each step of the
         * search below waits for the line of the one before: up to six misses one after the
         * other. Asked for at once (64 cells are 8 lines), they come in the time of one. (A
         * histogram without cells has no array: no pointer arithmetic on NULL.) */
        const char *c = (const char *)h->cell, *end = c + h->ncell * sizeof *h->cell;
        for (; c < end; c += 64)
            __builtin_prefetch(c);
    }
    for (;;) {
        uint64_t *d = sim_hist_octave_(h, o);
        if (d) {
            d[(i - 1) % SIM_HIST_SUB] += n;
            return 0;
        }
        uint32_t k = cell_at(h, i);
        int here = k < h->ncell && h->cell[k].bucket == (uint32_t)i;
        uint64_t had = here ? h->cell[k].n : 0;
        /* A bucket this busy makes its octave worth its counters: the values that follow take
         * the inline path instead of a search of the cells (docs/performance.md, "A busy cell
         * makes its octave dense"). A cell counts to 2^32 - 1: beyond, the octave must be
         * dense; below, a failure to allocate leaves the value in its cell. */
        if (had + n >= SIM_HIST_HOT && densify(h, o) == 0)
            continue;
        if (had + n > UINT32_MAX)
            return -1;
        if (here) {
            h->cell[k].n = (uint32_t)(had + n);
            return 0;
        }
        if (h->ncell == h->capcell) {
            if (h->capcell == SIM_HIST_CELLS) {
                if (densify(h, busiest(h)))
                    return -1;
                continue;
            }
            uint16_t cap = h->capcell ? (uint16_t)(2 * h->capcell) : 4;
            sim_hist_cell *p = sim_realloc(h->cell, cap * sizeof *p);
            if (!p)
                return -1;
            h->cell = p;
            h->capcell = cap;
        }
        memmove(h->cell + k + 1, h->cell + k, (h->ncell - k) * sizeof *h->cell);
        h->cell[k] = (sim_hist_cell){ (uint32_t)i, (uint32_t)n };
        h->ncell++;
        return 0;
    }
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
    } else if (add_count(h, i, 1)) {
        h->lost++;   /* the owner checks `lost` and reports the shortage */
        return;
    }
    sim_hist_note_(h, v);
}

void sim_hist_fini(sim_hist *h)
{
    sim_free(h->dense);
    h->dense = NULL;
    h->dmask = 0;
    sim_free(h->cell);
    h->cell = NULL;
    h->ncell = h->capcell = 0;
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
    if (h->count > 0 && h->dmask) {
        long first, last;
        octaves(sim_hist_index(h->min), sim_hist_index(h->max), &first, &last);
        for (long o = first; o <= last; o++) {
            uint64_t *c = sim_hist_octave_(h, o);
            if (c)
                memset(c, 0, SIM_HIST_SUB * sizeof *c);
        }
    }
    h->ncell = 0;
    h->under = h->over = 0;
    clear_summary(h);
}

void sim_hist_merge(sim_hist *dst, const sim_hist *src)
{
    if (src->count == 0)
        return;
    uint64_t lost = 0;
    if (src->dmask) {
        long first, last;
        octaves(sim_hist_index(src->min), sim_hist_index(src->max), &first, &last);
        for (long o = first; o <= last; o++) {
            const uint64_t *s = sim_hist_octave_(src, o);
            if (!s)
                continue;
            uint64_t *d = sim_hist_octave_(dst, o);
            for (int k = 0; k < SIM_HIST_SUB; k++) {
                if (d)
                    d[k] += s[k];
                else if (s[k] && add_count(dst, o * SIM_HIST_SUB + 1 + k, s[k]))
                    lost += s[k];
                else
                    d = sim_hist_octave_(dst, o);   /* it may have turned dense, and the
                                                       block moved */
            }
        }
    }
    for (uint32_t k = 0; k < src->ncell; k++)
        if (add_count(dst, src->cell[k].bucket, src->cell[k].n))
            lost += src->cell[k].n;
    dst->under += src->under;
    dst->over += src->over;
    dst->count += src->count - lost;
    dst->lost += lost;
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
    if (i == SIM_HIST_UNDERFLOW && i < last) {
        if ((seen += h->under) >= rank)
            goto found;
        i++;
    }
    uint32_t k = h->ncell ? cell_at(h, i) : 0;
    while (i < last) {   /* an octave at a time: its counters, or its cells */
        long o = (i - 1) / SIM_HIST_SUB, end = (o + 1) * SIM_HIST_SUB + 1;
        end = end < last ? end : last;
        const uint64_t *b = sim_hist_octave_(h, o);
        if (b) {
            for (; i < end; i++)
                if ((seen += b[(i - 1) % SIM_HIST_SUB]) >= rank)
                    goto found;
        } else {
            for (; k < h->ncell && (long)h->cell[k].bucket < end; k++)
                if ((seen += h->cell[k].n) >= rank) {
                    i = h->cell[k].bucket;
                    goto found;
                }
            i = end;
        }
    }
found:;
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

/* Reports bucket j of count c through the pointers of sim_hist_next; returns j. */
static long emit(const sim_hist *h, long j, uint64_t c, double *lo, double *hi, uint64_t *count)
{
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

long sim_hist_next(const sim_hist *h, long i, double *lo, double *hi, uint64_t *count)
{
    if (h->count == 0)
        return -1;
    long first = sim_hist_index(h->min), last = sim_hist_index(h->max);
    long j = i < first ? first : i + 1;
    if (j == SIM_HIST_UNDERFLOW) {
        if (h->under)
            return emit(h, j, h->under, lo, hi, count);
        j++;
    }
    while (j <= last && j < SIM_HIST_OVERFLOW) {
        long o = (j - 1) / SIM_HIST_SUB, end = (o + 1) * SIM_HIST_SUB + 1;
        end = end < last + 1 ? end : last + 1;
        const uint64_t *b = sim_hist_octave_(h, o);
        if (b) {
            for (; j < end; j++)
                if (b[(j - 1) % SIM_HIST_SUB])
                    return emit(h, j, b[(j - 1) % SIM_HIST_SUB], lo, hi, count);
        } else {
            uint32_t k = cell_at(h, j);
            if (k < h->ncell && (long)h->cell[k].bucket < end)
                return emit(h, h->cell[k].bucket, h->cell[k].n, lo, hi, count);
            j = end;
        }
    }
    if (j == SIM_HIST_OVERFLOW && j <= last && h->over)
        return emit(h, j, h->over, lo, hi, count);
    return -1;
}
