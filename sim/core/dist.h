/* dist: probability distributions of durations.
 *
 * A sim_dist describes a law on [0, inf) for a time in seconds: every sample is >= 0. It is built
 * by one of the constructors below, sampled from a named stream (core/rng.h), and can report its
 * mean, variance and CDF (which describe exactly the law that is sampled). The struct is visible
 * so that sim_dist_sample can inline the two commonest kinds (constant and exponential); every
 * other field is private to dist.c and is read only through the functions below.
 *
 * Ownership: a constructor's *out belongs to the caller, who releases it with sim_dist_free.
 * A mixture owns its parts. A sim_dist is immutable after construction, so one may be sampled
 * concurrently from different streams. */
#ifndef SIM_DIST_H
#define SIM_DIST_H

#include <math.h>
#include <stddef.h>

#include "core/rng.h"

typedef enum {
    SIM_DIST_CONST,
    SIM_DIST_EXP,
    SIM_DIST_UNIFORM,
    SIM_DIST_NORMAL,
    SIM_DIST_LOGNORMAL,
    SIM_DIST_GAMMA,
    SIM_DIST_WEIBULL,
    SIM_DIST_PARETO,
    SIM_DIST_HYPEREXP,
    SIM_DIST_EMPIRICAL,
    SIM_DIST_MIXTURE
} sim_dist_kind;

/* Meaning of the fields by kind (a, b, c are parameters; n/p/v/parts are owned arrays):
 *   CONST      a = value
 *   EXP        a = mean
 *   UNIFORM    a = lo, b = hi
 *   NORMAL     a = mean, b = sd of the parent normal (before truncation at 0)
 *   LOGNORMAL  a = mu, b = sigma (of the underlying normal)
 *   GAMMA      a = shape, b = mean, c = scale = mean / shape; erlang = 1 if built by sim_dist_erlang
 *   WEIBULL    a = shape, b = mean, c = scale = mean / Gamma(1 + 1/shape)
 *   PARETO     a = alpha, b = xmin
 *   HYPEREXP   n phases, p = probabilities (normalised), v = phase means
 *   EMPIRICAL  n values, v = the values sorted ascending
 *   MIXTURE    n parts, p = weights (normalised), parts = the component laws */
typedef struct sim_dist {
    sim_dist_kind kind;
    double a, b, c;
    size_t n;
    double *p;
    double *v;
    struct sim_dist **parts;
    int erlang;
} sim_dist;

/* Constructors. Each returns SIM_OK and sets *out to a new law, or returns SIM_EINVAL (a parameter
 * is out of range, not finite, or out is NULL) or SIM_ENOMEM, and then sets *out = NULL (when out
 * is not NULL). All parameters are in seconds unless said otherwise. */

/* Always value; value >= 0. */
int sim_dist_const(sim_dist **out, double value);
/* Exponential with the given mean > 0. */
int sim_dist_exp(sim_dist **out, double mean);
/* Continuous uniform on [lo, hi]; 0 <= lo <= hi (lo == hi is a point mass). */
int sim_dist_uniform(sim_dist **out, double lo, double hi);
/* Normal(mean, sd) truncated to [0, inf) (conditioned on being >= 0); sd >= 0. mean may be
 * negative as long as mean >= -20 sd (when sd == 0, mean >= 0). sim_dist_mean, sim_dist_var and
 * sim_dist_cdf describe the truncated law, not the parent normal. */
int sim_dist_normal(sim_dist **out, double mean, double sd);
/* Lognormal: exp(N(mu, sigma^2)); sigma >= 0 (sigma == 0 is the point mass exp(mu)). */
int sim_dist_lognormal(sim_dist **out, double mu, double sigma);
/* Lognormal with the given mean > 0 and standard deviation sd >= 0:
 * sigma^2 = ln(1 + sd^2/mean^2), mu = ln(mean) - sigma^2/2. */
int sim_dist_lognormal_mean_sd(sim_dist **out, double mean, double sd);
/* Lognormal with the given median and 99th percentile, 0 < median <= p99:
 * mu = ln(median), sigma = ln(p99/median) / z_0.99 with z_0.99 = 2.3263478740... */
int sim_dist_lognormal_median_p99(sim_dist **out, double median, double p99);
/* Gamma with shape > 0 and mean > 0 (scale = mean / shape). */
int sim_dist_gamma(sim_dist **out, double shape, double mean);
/* Erlang: the sum of k >= 1 exponential phases, total mean > 0 (gamma with integer shape k). */
int sim_dist_erlang(sim_dist **out, unsigned k, double mean);
/* Weibull with shape > 0 and mean > 0: scale = mean / Gamma(1 + 1/shape). SIM_EINVAL also when the
 * shape is so small that the scale underflows (shape below about 0.006 for a mean of 1). */
int sim_dist_weibull(sim_dist **out, double shape, double mean);
/* Pareto type I: P(X > x) = (xmin/x)^alpha for x >= xmin; alpha > 0, xmin > 0. */
int sim_dist_pareto(sim_dist **out, double alpha, double xmin);
/* Pareto type I with alpha > 1 and the given mean > 0: xmin = mean (alpha - 1) / alpha. */
int sim_dist_pareto_mean(sim_dist **out, double alpha, double mean);
/* Hyperexponential: with probability probs[i], an exponential of mean means[i]. n >= 1;
 * probs[i] >= 0 summing to 1 within 1e-9 (they are then normalised); means[i] > 0. Copies both. */
int sim_dist_hyperexp(sim_dist **out, size_t n, const double *probs, const double *means);
/* Two-phase hyperexponential with the given mean > 0 and squared coefficient of variation
 * scv >= 1, with balanced means (p1 m1 = p2 m2): p1 = (1 + sqrt((scv-1)/(scv+1)))/2,
 * m_i = mean / (2 p_i). scv == 1 gives two identical exponential phases. */
int sim_dist_hyperexp_balanced(sim_dist **out, double mean, double scv);
/* The empirical law of values[0..n-1]: each sample is one of the values, chosen uniformly
 * (repeated values count with their multiplicity). n >= 1, values >= 0. Copies the values. */
int sim_dist_empirical(sim_dist **out, const double *values, size_t n);
/* Mixture: with probability weights[i] / sum(weights), a sample of parts[i]. n >= 1, weights > 0,
 * parts non-NULL and pairwise distinct. On success the mixture owns the parts (the array itself is
 * copied); on failure the caller still owns them. */
int sim_dist_mixture(sim_dist **out, size_t n, const double *weights, sim_dist **parts);

/* Releases d and, for a mixture, its parts. NULL is a no-op. */
void sim_dist_free(sim_dist *d);

/* Deep copy of d into *out: SIM_OK, SIM_EINVAL (out or d NULL) or SIM_ENOMEM (*out = NULL). */
int sim_dist_clone(sim_dist **out, const sim_dist *d);

/* Draws one sample (>= 0) of any kind, consuming r deterministically: the same law and the same
 * stream state always give the same sample and leave the stream in the same state. */
double sim_dist_sample_slow(const sim_dist *d, sim_rng *r);

/* Same as sim_dist_sample_slow (identical values and stream use), with constant and exponential
 * laws handled inline. */
static inline double sim_dist_sample(const sim_dist *d, sim_rng *r)
{
    switch (d->kind) {
    case SIM_DIST_CONST:
        return d->a;
    case SIM_DIST_EXP:
        return d->a * sim_rng_exp1(r);
    default:
        return sim_dist_sample_slow(d, r);
    }
}

/* The mean of the law; INFINITY where it does not exist (pareto alpha <= 1). */
double sim_dist_mean(const sim_dist *d);
/* The variance of the law; INFINITY where it does not exist (pareto alpha <= 2, or a mixture with
 * such a part). */
double sim_dist_var(const sim_dist *d);
/* P(X <= x). 0 for x < 0, NaN for NaN x. */
double sim_dist_cdf(const sim_dist *d, double x);

/* Writes a one-line description of d into buf (capacity n, always NUL-terminated when n > 0) and
 * returns the length the full text has, like snprintf; the text is truncated when that length is
 * >= n. Returns SIM_EINVAL when d is NULL or buf is NULL with n > 0. Numbers use %.6g. Formats:
 *   const(value=V)  exp(mean=M)  uniform(lo=A, hi=B)  normal(mean=M, sd=S)
 *   lognormal(mu=U, sigma=S)  gamma(shape=K, mean=M)  erlang(k=K, mean=M)
 *   weibull(shape=K, mean=M)  pareto(alpha=A, min=X)
 *   hyperexp(probs={P1, P2}, means={M1, M2})  empirical(n=N, mean=M)
 *   mixture(W1*<part 1>, W2*<part 2>)   (weights normalised) */
int sim_dist_describe(const sim_dist *d, char *buf, size_t n);

#endif
