/* tally: mergeable running summaries (Welford / Chan et al.) and time-weighted averages. */
#include "stats/tally.h"

#include <math.h>

void sim_tally_reset(sim_tally *t)
{
    t->n = 0;
    t->mean = 0.0;
    t->m2 = 0.0;
    t->min = INFINITY;
    t->max = -INFINITY;
}

void sim_tally_merge(sim_tally *dst, const sim_tally *src)
{
    if (src->n == 0)
        return;
    if (dst->n == 0) {
        *dst = *src;
        return;
    }
    double na = (double)dst->n, nb = (double)src->n, n = na + nb;
    double delta = src->mean - dst->mean;
    dst->mean += delta * (nb / n);
    dst->m2 += src->m2 + delta * delta * (na * nb / n);
    dst->n += src->n;
    if (src->min < dst->min)
        dst->min = src->min;
    if (src->max > dst->max)
        dst->max = src->max;
}

double sim_tally_mean(const sim_tally *t)
{
    return t->n ? t->mean : NAN;
}

double sim_tally_var(const sim_tally *t)
{
    return t->n < 2 ? NAN : t->m2 / (double)(t->n - 1);
}

double sim_tally_sd(const sim_tally *t)
{
    return sqrt(sim_tally_var(t));
}

void sim_tw_init(sim_tw *w, double now, double value)
{
    w->value = value;
    sim_tw_reset(w, now);
}

void sim_tw_reset(sim_tw *w, double now)
{
    w->start = now;
    w->last = now;
    w->area = 0.0;
    w->max = w->value;
}

double sim_tw_mean(const sim_tw *w, double now)
{
    double span = now - w->start;
    if (!(span > 0.0))
        return w->value;
    return (w->area + w->value * (now - w->last)) / span;
}
