/* dist: construction, sampling, moments, CDFs and descriptions of duration laws (see dist.h).
 *
 * The harder laws are sampled with GSL's samplers, fed from our own stream: a gsl_rng value whose
 * type is the "dessa" generator below and whose state pointer is the caller's sim_rng. It lives on
 * the stack, so sampling never allocates, and every GSL draw consumes our stream deterministically.
 * CDFs use GSL's gsl_cdf_* functions where they exist. Parameters are validated in the
 * constructors so that GSL is never handed arguments that would trigger its error handler. */
#include "core/dist.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>

#include "core/alloc.h"
#include "core/error.h"

/* ---- GSL generator reading a sim_rng ------------------------------------------------------- */

static void dessa_gsl_set(void *state, unsigned long seed)
{
    /* Streams are seeded by sim_rng_init only; GSL never seeds this generator. */
    (void)state;
    (void)seed;
}

static unsigned long dessa_gsl_get(void *state)
{
    /* 32 bits, the width every GSL sampler and every platform's unsigned long can take. */
    return (unsigned long)(sim_rng_next((sim_rng *)state) >> 32);
}

static double dessa_gsl_get_double(void *state) { return sim_rng_uniform((sim_rng *)state); }

static const gsl_rng_type dessa_gsl_type = {
    "dessa", 0xffffffffUL, 0, sizeof(sim_rng), dessa_gsl_set, dessa_gsl_get, dessa_gsl_get_double,
};

/* ---- helpers ---------------------------------------------------------------------------------- */

static int finite_ge0(double x) { return isfinite(x) && x >= 0.0; }
static int finite_gt0(double x) { return isfinite(x) && x > 0.0; }

/* Allocates a zeroed law of the given kind into *out; SIM_ENOMEM (and *out = NULL) on failure. */
/* GSL's default error handler aborts the process (every replication thread with it). Its
 * functions are called here only with validated arguments, but one slip must become a NaN that
 * the checks below refuse, not an abort: the handler is turned off once, before the first law is
 * made, in a thread-safe way. */
static void gsl_handler_off(void) { gsl_set_error_handler_off(); }

static int new_dist(sim_dist **out, sim_dist_kind kind)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, gsl_handler_off);
    sim_dist *d = sim_calloc(1, sizeof *d);
    *out = d;
    if (!d)
        return SIM_ENOMEM;
    d->kind = kind;
    return SIM_OK;
}

static int invalid(sim_dist **out)
{
    if (out)
        *out = NULL;
    return SIM_EINVAL;
}

/* Index of a phase drawn with probabilities p[0..n-1] (summing to 1) from one uniform draw. The
 * fallback, taken only when rounding leaves u above the running sum, is the last phase with a
 * positive probability. */
static size_t pick(const double *p, size_t n, sim_rng *r)
{
    double u = sim_rng_uniform(r);
    double acc = 0.0;
    size_t last = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] > 0.0) {
            acc += p[i];
            last = i;
            if (u < acc)
                return i;
        }
    }
    return last;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Ratio phi(a) / Q(a) for the standard normal (the inverse Mills ratio). */
static double mills(double a) { return gsl_ran_ugaussian_pdf(a) / gsl_cdf_ugaussian_Q(a); }

/* ---- constructors ----------------------------------------------------------------------------- */

int sim_dist_const(sim_dist **out, double value)
{
    if (!out || !finite_ge0(value))
        return invalid(out);
    int rc = new_dist(out, SIM_DIST_CONST);
    if (rc == SIM_OK)
        (*out)->a = value;
    return rc;
}

int sim_dist_exp(sim_dist **out, double mean)
{
    if (!out || !finite_gt0(mean))
        return invalid(out);
    int rc = new_dist(out, SIM_DIST_EXP);
    if (rc == SIM_OK)
        (*out)->a = mean;
    return rc;
}

int sim_dist_uniform(sim_dist **out, double lo, double hi)
{
    if (!out || !finite_ge0(lo) || !isfinite(hi) || hi < lo)
        return invalid(out);
    int rc = new_dist(out, SIM_DIST_UNIFORM);
    if (rc == SIM_OK) {
        (*out)->a = lo;
        (*out)->b = hi;
    }
    return rc;
}

int sim_dist_normal(sim_dist **out, double mean, double sd)
{
    if (!out || !isfinite(mean) || !finite_ge0(sd))
        return invalid(out);
    if (sd == 0.0 ? mean < 0.0 : mean < -20.0 * sd)
        return invalid(out);
    int rc = new_dist(out, SIM_DIST_NORMAL);
    if (rc == SIM_OK) {
        (*out)->a = mean;
        (*out)->b = sd;
    }
    return rc;
}

int sim_dist_lognormal(sim_dist **out, double mu, double sigma)
{
    /* exp(mu) must be a usable duration, and the mean exp(mu + sigma^2/2) finite. */
    if (!out || !isfinite(mu) || !finite_ge0(sigma) || mu > 700.0 || mu < -700.0 ||
        mu + 0.5 * sigma * sigma > 700.0)
        return invalid(out);
    int rc = new_dist(out, SIM_DIST_LOGNORMAL);
    if (rc == SIM_OK) {
        (*out)->a = mu;
        (*out)->b = sigma;
    }
    return rc;
}

int sim_dist_lognormal_mean_sd(sim_dist **out, double mean, double sd)
{
    if (!out || !finite_gt0(mean) || !finite_ge0(sd))
        return invalid(out);
    double cv = sd / mean;
    double s2 = log1p(cv * cv);
    if (!isfinite(s2))
        return invalid(out);
    return sim_dist_lognormal(out, log(mean) - 0.5 * s2, sqrt(s2));
}

int sim_dist_lognormal_median_p99(sim_dist **out, double median, double p99)
{
    if (!out || !finite_gt0(median) || !isfinite(p99) || p99 < median)
        return invalid(out);
    double mu = log(median);
    double sigma = (log(p99) - mu) / gsl_cdf_ugaussian_Pinv(0.99);
    return sim_dist_lognormal(out, mu, sigma);
}

/* Shared by gamma and erlang. */
static int make_gamma(sim_dist **out, double shape, double mean, int erlang)
{
    if (!out || !finite_gt0(shape) || !finite_gt0(mean))
        return invalid(out);
    double scale = mean / shape;
    if (!isfinite(scale) || !(scale > 0.0))
        return invalid(out);
    int rc = new_dist(out, SIM_DIST_GAMMA);
    if (rc == SIM_OK) {
        (*out)->a = shape;
        (*out)->b = mean;
        (*out)->c = scale;
        (*out)->erlang = erlang;
    }
    return rc;
}

int sim_dist_gamma(sim_dist **out, double shape, double mean) { return make_gamma(out, shape, mean, 0); }

int sim_dist_erlang(sim_dist **out, unsigned k, double mean)
{
    if (k < 1)
        return invalid(out);
    return make_gamma(out, (double)k, mean, 1);
}

int sim_dist_weibull(sim_dist **out, double shape, double mean)
{
    if (!out || !finite_gt0(shape) || !finite_gt0(mean))
        return invalid(out);
    /* Bound 1/shape before calling lgamma so GSL never overflows (its handler would abort). */
    if (1.0 / shape > 1e4)
        return invalid(out);
    gsl_sf_result lg;
    if (gsl_sf_lngamma_e(1.0 + 1.0 / shape, &lg) != GSL_SUCCESS)
        return invalid(out);
    double scale = mean * exp(-lg.val);
    if (!isfinite(scale) || scale < DBL_MIN)
        return invalid(out);
    int rc = new_dist(out, SIM_DIST_WEIBULL);
    if (rc == SIM_OK) {
        (*out)->a = shape;
        (*out)->b = mean;
        (*out)->c = scale;
    }
    return rc;
}

int sim_dist_pareto(sim_dist **out, double alpha, double xmin)
{
    if (!out || !finite_gt0(alpha) || !finite_gt0(xmin))
        return invalid(out);
    int rc = new_dist(out, SIM_DIST_PARETO);
    if (rc == SIM_OK) {
        (*out)->a = alpha;
        (*out)->b = xmin;
    }
    return rc;
}

int sim_dist_pareto_mean(sim_dist **out, double alpha, double mean)
{
    if (!out || !isfinite(alpha) || !(alpha > 1.0) || !finite_gt0(mean))
        return invalid(out);
    return sim_dist_pareto(out, alpha, mean * (alpha - 1.0) / alpha);
}

int sim_dist_hyperexp(sim_dist **out, size_t n, const double *probs, const double *means)
{
    if (!out || n < 1 || !probs || !means || n > SIZE_MAX / sizeof(double))
        return invalid(out);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!finite_ge0(probs[i]) || !finite_gt0(means[i]))
            return invalid(out);
        sum += probs[i];
    }
    if (!(fabs(sum - 1.0) <= 1e-9))
        return invalid(out);
    int rc = new_dist(out, SIM_DIST_HYPEREXP);
    if (rc != SIM_OK)
        return rc;
    sim_dist *d = *out;
    d->p = sim_malloc(n * sizeof(double));
    d->v = sim_malloc(n * sizeof(double));
    if (!d->p || !d->v) {
        sim_dist_free(d);
        *out = NULL;
        return SIM_ENOMEM;
    }
    d->n = n;
    for (size_t i = 0; i < n; i++) {
        d->p[i] = probs[i] / sum;
        d->v[i] = means[i];
    }
    return SIM_OK;
}

int sim_dist_hyperexp_balanced(sim_dist **out, double mean, double scv)
{
    if (!out || !finite_gt0(mean) || !isfinite(scv) || !(scv >= 1.0))
        return invalid(out);
    double p1 = 0.5 * (1.0 + sqrt((scv - 1.0) / (scv + 1.0)));
    double p2 = 1.0 - p1;
    if (!(p2 > 0.0))   /* scv so large that the rare phase vanishes in double precision */
        return invalid(out);
    double probs[2] = { p1, p2 };
    double means[2] = { mean / (2.0 * p1), mean / (2.0 * p2) };
    if (!isfinite(means[1]))
        return invalid(out);
    return sim_dist_hyperexp(out, 2, probs, means);
}

int sim_dist_empirical(sim_dist **out, const double *values, size_t n)
{
    if (!out || n < 1 || !values || n > SIZE_MAX / sizeof(double))
        return invalid(out);
    for (size_t i = 0; i < n; i++)
        if (!finite_ge0(values[i]))
            return invalid(out);
    int rc = new_dist(out, SIM_DIST_EMPIRICAL);
    if (rc != SIM_OK)
        return rc;
    sim_dist *d = *out;
    d->v = sim_malloc(n * sizeof(double));
    if (!d->v) {
        sim_dist_free(d);
        *out = NULL;
        return SIM_ENOMEM;
    }
    d->n = n;
    memcpy(d->v, values, n * sizeof(double));
    qsort(d->v, n, sizeof(double), cmp_double);
    return SIM_OK;
}

int sim_dist_mixture(sim_dist **out, size_t n, const double *weights, sim_dist **parts)
{
    if (!out || n < 1 || !weights || !parts || n > SIZE_MAX / sizeof(sim_dist *))
        return invalid(out);
    double sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        if (!finite_gt0(weights[i]) || !parts[i])
            return invalid(out);
        for (size_t j = 0; j < i; j++)
            if (parts[j] == parts[i])   /* would be freed twice */
                return invalid(out);
        sum += weights[i];
    }
    if (!isfinite(sum))
        return invalid(out);
    int rc = new_dist(out, SIM_DIST_MIXTURE);
    if (rc != SIM_OK)
        return rc;
    sim_dist *d = *out;
    d->p = sim_malloc(n * sizeof(double));
    d->parts = sim_malloc(n * sizeof(sim_dist *));
    if (!d->p || !d->parts) {
        sim_dist_free(d);   /* n is still 0: the caller's parts are untouched */
        *out = NULL;
        return SIM_ENOMEM;
    }
    d->n = n;
    for (size_t i = 0; i < n; i++) {
        d->p[i] = weights[i] / sum;
        d->parts[i] = parts[i];
    }
    return SIM_OK;
}

void sim_dist_free(sim_dist *d)
{
    if (!d)
        return;
    if (d->kind == SIM_DIST_MIXTURE && d->parts)
        for (size_t i = 0; i < d->n; i++)
            sim_dist_free(d->parts[i]);
    sim_free(d->parts);
    sim_free(d->p);
    sim_free(d->v);
    sim_free(d);
}

static double *copy_doubles(const double *src, size_t n)
{
    if (!src)
        return NULL;
    double *dst = sim_malloc(n * sizeof(double));
    if (dst)
        memcpy(dst, src, n * sizeof(double));
    return dst;
}

int sim_dist_clone(sim_dist **out, const sim_dist *d)
{
    if (!out || !d)
        return invalid(out);
    sim_dist *c = sim_malloc(sizeof *c);
    *out = NULL;
    if (!c)
        return SIM_ENOMEM;
    *c = *d;
    c->n = 0;   /* until the parts are in place, so a partial clone frees cleanly */
    c->p = copy_doubles(d->p, d->n);
    c->v = copy_doubles(d->v, d->n);
    c->parts = d->parts ? sim_calloc(d->n, sizeof(sim_dist *)) : NULL;
    int ok = (!d->p || c->p) && (!d->v || c->v) && (!d->parts || c->parts);
    if (ok && d->parts) {
        c->n = d->n;
        for (size_t i = 0; i < d->n && ok; i++)
            ok = sim_dist_clone(&c->parts[i], d->parts[i]) == SIM_OK;
    }
    if (!ok) {
        sim_dist_free(c);   /* parts not yet cloned are NULL, which sim_dist_free skips */
        return SIM_ENOMEM;
    }
    c->n = d->n;
    *out = c;
    return SIM_OK;
}

/* ---- sampling --------------------------------------------------------------------------------- */

double sim_dist_sample_slow(const sim_dist *d, sim_rng *r)
{
    gsl_rng g = { &dessa_gsl_type, r };
    switch (d->kind) {
    case SIM_DIST_CONST:
        return d->a;
    case SIM_DIST_EXP:
        return d->a * sim_rng_exp1(r);
    case SIM_DIST_UNIFORM:
        return d->a + (d->b - d->a) * sim_rng_uniform(r);
    case SIM_DIST_NORMAL: {
        if (d->b == 0.0)
            return d->a;
        if (d->a < 0.0)   /* acceptance below 1/2: GSL's tail sampler for N(0, sd) above -mean */
            return d->a + gsl_ran_gaussian_tail(&g, -d->a, d->b);
        double x;
        do
            x = d->a + gsl_ran_gaussian_ziggurat(&g, d->b);
        while (x < 0.0);
        return x;
    }
    case SIM_DIST_LOGNORMAL:
        if (d->b == 0.0)
            return exp(d->a);
        return gsl_ran_lognormal(&g, d->a, d->b);
    case SIM_DIST_GAMMA:
        return gsl_ran_gamma(&g, d->a, d->c);
    case SIM_DIST_WEIBULL:
        return gsl_ran_weibull(&g, d->c, d->a);
    case SIM_DIST_PARETO:
        return gsl_ran_pareto(&g, d->a, d->b);
    case SIM_DIST_HYPEREXP: {
        size_t i = pick(d->p, d->n, r);
        return d->v[i] * sim_rng_exp1(r);
    }
    case SIM_DIST_EMPIRICAL:
        return d->v[sim_rng_below(r, d->n)];
    case SIM_DIST_MIXTURE: {
        size_t i = pick(d->p, d->n, r);
        return sim_dist_sample(d->parts[i], r);
    }
    }
    return 0.0;
}

/* ---- moments ---------------------------------------------------------------------------------- */

/* E[X^2] of d, INFINITY where it does not exist. */
static double second_moment(const sim_dist *d)
{
    double m = sim_dist_mean(d);
    if (!isfinite(m))
        return INFINITY;
    return sim_dist_var(d) + m * m;
}

double sim_dist_mean(const sim_dist *d)
{
    switch (d->kind) {
    case SIM_DIST_CONST:
    case SIM_DIST_EXP:
        return d->a;
    case SIM_DIST_UNIFORM:
        return 0.5 * (d->a + d->b);
    case SIM_DIST_NORMAL:
        if (d->b == 0.0)
            return d->a;
        return d->a + d->b * mills(-d->a / d->b);
    case SIM_DIST_LOGNORMAL:
        return exp(d->a + 0.5 * d->b * d->b);
    case SIM_DIST_GAMMA:
    case SIM_DIST_WEIBULL:
        return d->b;
    case SIM_DIST_PARETO:
        return d->a > 1.0 ? d->a * d->b / (d->a - 1.0) : INFINITY;
    case SIM_DIST_HYPEREXP: {
        double m = 0.0;
        for (size_t i = 0; i < d->n; i++)
            m += d->p[i] * d->v[i];
        return m;
    }
    case SIM_DIST_EMPIRICAL: {
        double m = 0.0;
        for (size_t i = 0; i < d->n; i++)
            m += d->v[i];
        return m / (double)d->n;
    }
    case SIM_DIST_MIXTURE: {
        double m = 0.0;
        for (size_t i = 0; i < d->n; i++)
            m += d->p[i] * sim_dist_mean(d->parts[i]);
        return m;
    }
    }
    return NAN;
}

double sim_dist_var(const sim_dist *d)
{
    switch (d->kind) {
    case SIM_DIST_CONST:
        return 0.0;
    case SIM_DIST_EXP:
        return d->a * d->a;
    case SIM_DIST_UNIFORM: {
        double w = d->b - d->a;
        return w * w / 12.0;
    }
    case SIM_DIST_NORMAL: {
        if (d->b == 0.0)
            return 0.0;
        double a = -d->a / d->b, lam = mills(a);
        double v = d->b * d->b * (1.0 + a * lam - lam * lam);
        return v > 0.0 ? v : 0.0;
    }
    case SIM_DIST_LOGNORMAL: {
        double s2 = d->b * d->b;
        return expm1(s2) * exp(2.0 * d->a + s2);
    }
    case SIM_DIST_GAMMA:
        return d->b * d->b / d->a;
    case SIM_DIST_WEIBULL: {
        double k = d->a;
        double ratio = gsl_sf_lngamma(1.0 + 2.0 / k) - 2.0 * gsl_sf_lngamma(1.0 + 1.0 / k);
        return d->b * d->b * expm1(ratio);
    }
    case SIM_DIST_PARETO: {
        double a = d->a;
        if (a <= 2.0)
            return INFINITY;
        return d->b * d->b * a / ((a - 1.0) * (a - 1.0) * (a - 2.0));
    }
    case SIM_DIST_HYPEREXP: {
        double m = 0.0, m2 = 0.0;
        for (size_t i = 0; i < d->n; i++) {
            m += d->p[i] * d->v[i];
            m2 += 2.0 * d->p[i] * d->v[i] * d->v[i];
        }
        return m2 - m * m;
    }
    case SIM_DIST_EMPIRICAL: {
        double m = sim_dist_mean(d), s = 0.0;
        for (size_t i = 0; i < d->n; i++)
            s += (d->v[i] - m) * (d->v[i] - m);
        return s / (double)d->n;
    }
    case SIM_DIST_MIXTURE: {
        double m = 0.0, m2 = 0.0;
        for (size_t i = 0; i < d->n; i++) {
            double mi = sim_dist_mean(d->parts[i]), s2 = second_moment(d->parts[i]);
            if (!isfinite(s2))
                return INFINITY;
            m += d->p[i] * mi;
            m2 += d->p[i] * s2;
        }
        double v = m2 - m * m;
        return v > 0.0 ? v : 0.0;
    }
    }
    return NAN;
}

/* ---- CDF -------------------------------------------------------------------------------------- */

static double normal_trunc_cdf(const sim_dist *d, double x)
{
    if (d->b == 0.0)
        return x >= d->a ? 1.0 : 0.0;
    double a = -d->a / d->b, z = (x - d->a) / d->b;
    double mass = gsl_cdf_ugaussian_Q(a);   /* P(parent >= 0) */
    double p;
    if (z < 0.0)   /* lower half: difference of small lower tails */
        p = (gsl_cdf_ugaussian_P(z) - gsl_cdf_ugaussian_P(a)) / mass;
    else           /* upper half: one minus a small upper tail */
        p = 1.0 - gsl_cdf_ugaussian_Q(z) / mass;
    return p < 0.0 ? 0.0 : (p > 1.0 ? 1.0 : p);
}

double sim_dist_cdf(const sim_dist *d, double x)
{
    if (isnan(x))
        return NAN;
    if (x < 0.0)
        return 0.0;
    if (x == INFINITY)
        return 1.0;
    switch (d->kind) {
    case SIM_DIST_CONST:
        return x >= d->a ? 1.0 : 0.0;
    case SIM_DIST_EXP:
        return gsl_cdf_exponential_P(x, d->a);
    case SIM_DIST_UNIFORM:
        if (d->a == d->b)
            return x >= d->a ? 1.0 : 0.0;
        return gsl_cdf_flat_P(x, d->a, d->b);
    case SIM_DIST_NORMAL:
        return normal_trunc_cdf(d, x);
    case SIM_DIST_LOGNORMAL:
        if (d->b == 0.0)
            return x >= exp(d->a) ? 1.0 : 0.0;
        if (x == 0.0)
            return 0.0;
        return gsl_cdf_lognormal_P(x, d->a, d->b);
    case SIM_DIST_GAMMA:
        return gsl_cdf_gamma_P(x, d->a, d->c);
    case SIM_DIST_WEIBULL:
        return gsl_cdf_weibull_P(x, d->c, d->a);
    case SIM_DIST_PARETO:
        return gsl_cdf_pareto_P(x, d->a, d->b);
    case SIM_DIST_HYPEREXP: {
        double p = 0.0;
        for (size_t i = 0; i < d->n; i++)
            p += d->p[i] * gsl_cdf_exponential_P(x, d->v[i]);
        return p > 1.0 ? 1.0 : p;
    }
    case SIM_DIST_EMPIRICAL: {
        size_t lo = 0, hi = d->n;   /* count of values <= x, by bisection on the sorted values */
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (d->v[mid] <= x)
                lo = mid + 1;
            else
                hi = mid;
        }
        return (double)lo / (double)d->n;
    }
    case SIM_DIST_MIXTURE: {
        double p = 0.0;
        for (size_t i = 0; i < d->n; i++)
            p += d->p[i] * sim_dist_cdf(d->parts[i], x);
        return p > 1.0 ? 1.0 : p;
    }
    }
    return NAN;
}

/* ---- description ------------------------------------------------------------------------------ */

/* snprintf into a fixed buffer across several calls, counting the full length. */
typedef struct {
    char *buf;
    size_t cap;
    size_t len;   /* length of the full text so far (may exceed cap) */
    int failed;
} text;

static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *dst = t->len < t->cap ? t->buf + t->len : NULL;
    size_t room = t->len < t->cap ? t->cap - t->len : 0;
    int k = vsnprintf(dst, room, fmt, ap);
    va_end(ap);
    if (k < 0)
        t->failed = 1;
    else
        t->len += (size_t)k;
}

static void put_list(text *t, const double *x, size_t n)
{
    put(t, "{");
    for (size_t i = 0; i < n; i++)
        put(t, i ? ", %.6g" : "%.6g", x[i]);
    put(t, "}");
}

static void describe(text *t, const sim_dist *d)
{
    switch (d->kind) {
    case SIM_DIST_CONST:
        put(t, "const(value=%.6g)", d->a);
        break;
    case SIM_DIST_EXP:
        put(t, "exp(mean=%.6g)", d->a);
        break;
    case SIM_DIST_UNIFORM:
        put(t, "uniform(lo=%.6g, hi=%.6g)", d->a, d->b);
        break;
    case SIM_DIST_NORMAL:
        put(t, "normal(mean=%.6g, sd=%.6g)", d->a, d->b);
        break;
    case SIM_DIST_LOGNORMAL:
        put(t, "lognormal(mu=%.6g, sigma=%.6g)", d->a, d->b);
        break;
    case SIM_DIST_GAMMA:
        if (d->erlang)
            put(t, "erlang(k=%.0f, mean=%.6g)", d->a, d->b);
        else
            put(t, "gamma(shape=%.6g, mean=%.6g)", d->a, d->b);
        break;
    case SIM_DIST_WEIBULL:
        put(t, "weibull(shape=%.6g, mean=%.6g)", d->a, d->b);
        break;
    case SIM_DIST_PARETO:
        put(t, "pareto(alpha=%.6g, min=%.6g)", d->a, d->b);
        break;
    case SIM_DIST_HYPEREXP:
        put(t, "hyperexp(probs=");
        put_list(t, d->p, d->n);
        put(t, ", means=");
        put_list(t, d->v, d->n);
        put(t, ")");
        break;
    case SIM_DIST_EMPIRICAL:
        put(t, "empirical(n=%zu, mean=%.6g)", d->n, sim_dist_mean(d));
        break;
    case SIM_DIST_MIXTURE:
        put(t, "mixture(");
        for (size_t i = 0; i < d->n; i++) {
            put(t, i ? ", %.6g*" : "%.6g*", d->p[i]);
            describe(t, d->parts[i]);
        }
        put(t, ")");
        break;
    }
}

int sim_dist_describe(const sim_dist *d, char *buf, size_t n)
{
    if (!d || (!buf && n > 0))
        return SIM_EINVAL;
    text t = { buf, n, 0, 0 };
    if (n > 0)
        buf[0] = '\0';
    describe(&t, d);
    if (t.failed || t.len > (size_t)INT_MAX)
        return SIM_EINVAL;
    return (int)t.len;
}
