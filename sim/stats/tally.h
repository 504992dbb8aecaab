/* tally: mergeable running summaries of observations.
 *
 * sim_tally keeps count, mean, sum of squared deviations (Welford's update), min and max of a
 * stream of values; two tallies merge exactly (Chan et al.'s parallel formula), so per-replication
 * or per-thread summaries can be combined. sim_tw keeps the time-weighted average and maximum of a
 * piecewise-constant quantity such as a queue length or the number of busy workers. */
#ifndef SIM_TALLY_H
#define SIM_TALLY_H

#include <stdint.h>

typedef struct sim_tally {
    uint64_t n;        /* observations */
    double mean;       /* running mean (0 while empty) */
    double m2;         /* sum of squared deviations from the mean */
    double min, max;   /* +inf / -inf while empty */
} sim_tally;

/* Empties t (n = 0, mean = m2 = 0, min = +inf, max = -inf). */
void sim_tally_reset(sim_tally *t);

/* Adds one observation (Welford's numerically stable update). */
static inline void sim_tally_add(sim_tally *t, double x)
{
    t->n++;
    double d = x - t->mean;
    t->mean += d / (double)t->n;
    t->m2 += d * (x - t->mean);
    if (x < t->min)
        t->min = x;
    if (x > t->max)
        t->max = x;
}

/* Adds the observations summarised by src into dst (dst may not alias src); afterwards dst equals,
 * up to rounding, a tally that was given both sets of observations. */
void sim_tally_merge(sim_tally *dst, const sim_tally *src);

/* The mean, NAN if n == 0. */
double sim_tally_mean(const sim_tally *t);

/* The sample variance m2 / (n - 1), NAN if n < 2. */
double sim_tally_var(const sim_tally *t);

/* The sample standard deviation sqrt(var), NAN if n < 2. */
double sim_tally_sd(const sim_tally *t);

/* Time-weighted average of a piecewise-constant quantity over a window [start, now]. Times passed
 * to the functions below must never decrease. */
typedef struct sim_tw {
    double start;   /* beginning of the window */
    double last;    /* time of the last change (or of the window start) */
    double value;   /* current value */
    double area;    /* integral of the value over [start, last] */
    double max;     /* largest value held during the window */
} sim_tw;

/* Starts a window at now with the given current value. */
void sim_tw_init(sim_tw *w, double now, double value);

/* Restarts the window at now keeping the current value: area = 0, max = current value. */
void sim_tw_reset(sim_tw *w, double now);

/* As sim_tw_set, for a quantity whose maximum nobody reads (threads held, threads working):
 * max is left as it was, and the compare saved on the hot path. */
static inline void sim_tw_set_nomax(sim_tw *w, double now, double value)
{
    w->area += w->value * (now - w->last);
    w->last = now;
    w->value = value;
}

/* The quantity changes to value at time now (now >= the time of the previous call). */
static inline void sim_tw_set(sim_tw *w, double now, double value)
{
    sim_tw_set_nomax(w, now, value);
    if (value > w->max)
        w->max = value;
}

/* The integral of the value over [start, now] (now >= the last change). */
static inline double sim_tw_area(const sim_tw *w, double now)
{
    return w->area + w->value * (now - w->last);
}

/* The average over [start, now] (now >= the last change); the current value if now == start. */
double sim_tw_mean(const sim_tw *w, double now);

#endif
