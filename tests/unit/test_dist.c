/* test_dist: unit tests of the duration laws (core/dist).
 *
 * For every kind: 200k samples from a fixed stream are tested with Kolmogorov-Smirnov against
 * sim_dist_cdf and against a CDF written here independently (GSL's gsl_cdf_* or an explicit
 * formula); the sample mean must lie in the 99.9% confidence interval of the mean computed here in
 * closed form; sim_dist_mean and sim_dist_var must equal those closed forms. Also: bad parameters,
 * describe() texts, cloning, ownership of mixture parts, and allocation failures. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>

#include "core/alloc.h"
#include "core/dist.h"
#include "core/error.h"

enum { NSAMPLES = 200000 };

/* Kolmogorov distribution: P(sqrt(n) D > 1.9495) = 0.001 asymptotically. */
static const double KS_CRIT_999 = 1.9495;
/* Two-sided 99.9% normal quantile. */
static const double Z_999 = 3.2905;

typedef double (*cdf_fn)(double x, const void *ctx);

/* ---- statistics helpers ----------------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* sqrt(n) times the Kolmogorov-Smirnov distance between the sample x[0..n-1] (sorted in place)
 * and F. Ties are grouped and F's left limit is compared with the empirical left limit, so the
 * statistic is also right for laws with atoms (where the test is then conservative). */
static double ks_stat(double *x, size_t n, cdf_fn F, const void *ctx)
{
    qsort(x, n, sizeof *x, cmp_double);
    double d = 0.0;
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && x[j] == x[i])
            j++;
        double left = F(nextafter(x[i], -INFINITY), ctx), at = F(x[i], ctx);
        d = fmax(d, fabs((double)i / (double)n - left));
        d = fmax(d, fabs((double)j / (double)n - at));
        i = j;
    }
    return sqrt((double)n) * d;
}

static double sim_cdf(double x, const void *ctx) { return sim_dist_cdf(ctx, x); }

static int close_rel(double got, double want, double rel)
{
    if (isinf(want))
        return got == want;
    return fabs(got - want) <= rel * fabs(want) + 1e-300;
}

/* Draws NSAMPLES from d with the stream (seed 20240, rep 0, label) into a new array. Checks that
 * every sample is finite and >= 0, and that sim_dist_sample and sim_dist_sample_slow agree and
 * consume the stream identically. */
static double *draw(const sim_dist *d, const char *label)
{
    double *x = malloc(NSAMPLES * sizeof *x);
    assert_non_null(x);
    sim_rng r, r2;
    sim_rng_init(&r, 20240, 0, label);
    r2 = r;
    for (size_t i = 0; i < NSAMPLES; i++) {
        x[i] = sim_dist_sample(d, &r);
        assert_true(isfinite(x[i]) && x[i] >= 0.0);
    }
    for (size_t i = 0; i < 1000; i++)
        assert_true(sim_dist_sample_slow(d, &r2) == x[i]);
    sim_rng r3;
    sim_rng_init(&r3, 20240, 0, label);
    for (size_t i = 0; i < 1000; i++)
        (void)sim_dist_sample(d, &r3);
    assert_memory_equal(&r2, &r3, sizeof r2);
    return x;
}

static double sample_mean(const double *x, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s / (double)n;
}

/* The whole check of one law against the closed forms and the independent CDF ref(ctx). */
static void check_law(sim_dist *d, const char *label, double mean, double var, cdf_fn ref,
                      const void *ctx)
{
    assert_non_null(d);
    if (!close_rel(sim_dist_mean(d), mean, 1e-9) || !close_rel(sim_dist_var(d), var, 1e-9)) {
        print_error("%s: mean %.17g (want %.17g), var %.17g (want %.17g)\n", label,
                    sim_dist_mean(d), mean, sim_dist_var(d), var);
        fail();
    }
    assert_true(sim_dist_cdf(d, -1.0) == 0.0);
    assert_true(sim_dist_cdf(d, INFINITY) == 1.0);
    assert_true(isnan(sim_dist_cdf(d, NAN)));

    double *x = draw(d, label);
    double m = sample_mean(x, NSAMPLES);
    if (isfinite(var)) {
        double hw = Z_999 * sqrt(var / NSAMPLES) + 1e-9 * mean;   /* + summation rounding */
        if (!(fabs(m - mean) <= hw)) {
            print_error("%s: sample mean %.10g outside %.10g +- %.3g\n", label, m, mean, hw);
            fail();
        }
    }
    double k_sim = ks_stat(x, NSAMPLES, sim_cdf, d);
    double k_ref = ks_stat(x, NSAMPLES, ref, ctx);
    if (!(k_sim < KS_CRIT_999) || !(k_ref < KS_CRIT_999)) {
        print_error("%s: KS sqrt(n)D = %.4f (sim cdf), %.4f (reference cdf), critical %.4f\n",
                    label, k_sim, k_ref, KS_CRIT_999);
        fail();
    }
    /* sim_dist_cdf and the reference agree pointwise at the sample quantiles too */
    for (size_t i = 0; i < NSAMPLES; i += NSAMPLES / 50)
        assert_true(fabs(sim_dist_cdf(d, x[i]) - ref(x[i], ctx)) < 1e-9);
    free(x);
    sim_dist_free(d);
}

/* Simpson's rule on [a, b] with n (even) intervals. */
static double simpson(double (*f)(double, const double *), const double *q, double a, double b,
                      int n)
{
    double h = (b - a) / n, s = f(a, q) + f(b, q);
    for (int i = 1; i < n; i++)
        s += (i % 2 ? 4.0 : 2.0) * f(a + i * h, q);
    return s * h / 3.0;
}

/* ---- independent reference CDFs ---------------------------------------------------------------- */

static double ref_const(double x, const void *c) { return x >= *(const double *)c ? 1.0 : 0.0; }
static double ref_exp(double x, const void *c)
{
    return x < 0 ? 0.0 : gsl_cdf_exponential_P(x, *(const double *)c);
}
static double ref_flat(double x, const void *c)
{
    const double *q = c;
    return x < 0 ? 0.0 : gsl_cdf_flat_P(x, q[0], q[1]);
}
/* N(q0, q1) conditioned on >= 0 */
static double ref_truncnorm(double x, const void *c)
{
    const double *q = c;
    if (x < 0)
        return 0.0;
    double lo = gsl_cdf_gaussian_P(-q[0], q[1]);
    return (gsl_cdf_gaussian_P(x - q[0], q[1]) - lo) / (1.0 - lo);
}
static double ref_lognormal(double x, const void *c)
{
    const double *q = c;
    return x <= 0 ? 0.0 : gsl_cdf_lognormal_P(x, q[0], q[1]);
}
static double ref_gamma(double x, const void *c)
{
    const double *q = c;
    return x <= 0 ? 0.0 : gsl_cdf_gamma_P(x, q[0], q[1]);
}
/* Erlang(k, rate) by its explicit series 1 - sum_{i<k} e^{-rx} (rx)^i / i! */
static double ref_erlang(double x, const void *c)
{
    const double *q = c;
    if (x <= 0)
        return 0.0;
    double rx = q[1] * x, term = exp(-rx), s = 0.0;
    for (int i = 0; i < (int)q[0]; i++) {
        s += term;
        term *= rx / (i + 1);
    }
    return 1.0 - s;
}
static double ref_weibull(double x, const void *c)
{
    const double *q = c;   /* scale, shape */
    return x <= 0 ? 0.0 : gsl_cdf_weibull_P(x, q[0], q[1]);
}
static double ref_pareto(double x, const void *c)
{
    const double *q = c;   /* alpha, xmin */
    return x <= 0 ? 0.0 : gsl_cdf_pareto_P(x, q[0], q[1]);
}
/* two phases: q = {p1, m1, p2, m2} */
static double ref_hyper2(double x, const void *c)
{
    const double *q = c;
    if (x < 0)
        return 0.0;
    return q[0] * gsl_cdf_exponential_P(x, q[1]) + q[2] * gsl_cdf_exponential_P(x, q[3]);
}

static const double EMP[] = { 0.7, 0.2, 1.5, 0.1, 0.2 };
static double ref_empirical(double x, const void *c)
{
    (void)c;
    int k = 0;
    for (int i = 0; i < 5; i++)
        k += EMP[i] <= x;
    return k / 5.0;
}
/* 0.9 exp(mean 0.01) + 0.1 const(1) */
static double ref_mix(double x, const void *c)
{
    (void)c;
    if (x < 0)
        return 0.0;
    return 0.9 * gsl_cdf_exponential_P(x, 0.01) + 0.1 * (x >= 1.0);
}

/* ---- one test per kind ------------------------------------------------------------------------- */

static void test_const(void **state)
{
    (void)state;
    sim_dist *d;
    double v = 0.25;
    assert_int_equal(sim_dist_const(&d, v), SIM_OK);
    check_law(d, "const", 0.25, 0.0, ref_const, &v);
    double z = 0.0;
    assert_int_equal(sim_dist_const(&d, 0.0), SIM_OK);
    check_law(d, "const0", 0.0, 0.0, ref_const, &z);
}

static void test_exp(void **state)
{
    (void)state;
    sim_dist *d;
    double m = 0.02;
    assert_int_equal(sim_dist_exp(&d, m), SIM_OK);
    check_law(d, "exp", 0.02, 0.0004, ref_exp, &m);
}

static void test_uniform(void **state)
{
    (void)state;
    sim_dist *d;
    double q[2] = { 0.1, 0.3 };
    assert_int_equal(sim_dist_uniform(&d, 0.1, 0.3), SIM_OK);
    check_law(d, "uniform", 0.2, 0.2 * 0.2 / 12.0, ref_flat, q);
    double v = 0.5;
    assert_int_equal(sim_dist_uniform(&d, 0.5, 0.5), SIM_OK);   /* point mass */
    check_law(d, "uniform-point", 0.5, 0.0, ref_const, &v);
}

/* Moments of N(q0, q1) truncated to >= 0, by numerical integration. */
static double tn_density(double x, const double *q)
{
    return gsl_ran_gaussian_pdf(x - q[0], q[1]) / gsl_cdf_gaussian_Q(-q[0], q[1]);
}
static double tn_m1(double x, const double *q) { return x * tn_density(x, q); }
static double tn_m2(double x, const double *q) { return x * x * tn_density(x, q); }

static void check_truncnorm(double m, double s, const char *label)
{
    double q[2] = { m, s };
    double hi = fmax(m, 0.0) + 14.0 * s;
    double mass = simpson(tn_density, q, 0.0, hi, 200000);
    assert_true(fabs(mass - 1.0) < 1e-9);   /* the integration itself is accurate */
    double m1 = simpson(tn_m1, q, 0.0, hi, 200000), m2 = simpson(tn_m2, q, 0.0, hi, 200000);
    sim_dist *d;
    assert_int_equal(sim_dist_normal(&d, m, s), SIM_OK);
    /* quadrature accuracy is ~1e-12 relative; check_law asks 1e-9 */
    check_law(d, label, m1, m2 - m1 * m1, ref_truncnorm, q);
}

static void test_normal(void **state)
{
    (void)state;
    check_truncnorm(1.0, 0.4, "normal");            /* barely truncated */
    check_truncnorm(0.5, 1.0, "normal-cut");        /* strongly truncated, rejection path */
    check_truncnorm(-0.5, 1.0, "normal-neg");       /* tail sampler, a < sd */
    check_truncnorm(-5.0, 1.0, "normal-far-tail");  /* tail sampler, a > sd */
    double v = 2.0;
    sim_dist *d;
    assert_int_equal(sim_dist_normal(&d, 2.0, 0.0), SIM_OK);
    check_law(d, "normal-sd0", 2.0, 0.0, ref_const, &v);
}

static void test_lognormal(void **state)
{
    (void)state;
    sim_dist *d;
    double q[2] = { -3.0, 0.6 };
    assert_int_equal(sim_dist_lognormal(&d, -3.0, 0.6), SIM_OK);
    check_law(d, "lognormal", exp(-3.0 + 0.18), (exp(0.36) - 1.0) * exp(-6.0 + 0.36), ref_lognormal,
              q);
}

static void test_lognormal_mean_sd(void **state)
{
    (void)state;
    sim_dist *d;
    double mean = 0.05, sd = 0.1;
    double s2 = log(1.0 + (sd / mean) * (sd / mean));
    double q[2] = { log(mean) - s2 / 2.0, sqrt(s2) };
    assert_int_equal(sim_dist_lognormal_mean_sd(&d, mean, sd), SIM_OK);
    check_law(d, "lognormal-mean-sd", mean, sd * sd, ref_lognormal, q);
}

static void test_lognormal_median_p99(void **state)
{
    (void)state;
    double z = gsl_cdf_ugaussian_Pinv(0.99);
    assert_true(fabs(z - 2.326348) < 1e-6);
    double median = 0.01, p99 = 0.05;
    double mu = log(median), sigma = log(p99 / median) / z;
    double q[2] = { mu, sigma };
    sim_dist *d;
    assert_int_equal(sim_dist_lognormal_median_p99(&d, median, p99), SIM_OK);
    /* the law has exactly the requested median and 99th percentile */
    assert_true(fabs(sim_dist_cdf(d, median) - 0.5) < 1e-12);
    assert_true(fabs(sim_dist_cdf(d, p99) - 0.99) < 1e-12);
    assert_true(fabs(exp(mu) - median) < 1e-15 && fabs(exp(mu + z * sigma) - p99) < 1e-15);
    check_law(d, "lognormal-median-p99", exp(mu + sigma * sigma / 2.0),
              expm1(sigma * sigma) * exp(2.0 * mu + sigma * sigma), ref_lognormal, q);
    /* median == p99 is the point mass at the median */
    assert_int_equal(sim_dist_lognormal_median_p99(&d, 0.3, 0.3), SIM_OK);
    double v = 0.3;
    check_law(d, "lognormal-point", 0.3, 0.0, ref_const, &v);
}

static void test_gamma(void **state)
{
    (void)state;
    sim_dist *d;
    double q[2] = { 2.5, 0.04 };   /* shape, scale = mean / shape */
    assert_int_equal(sim_dist_gamma(&d, 2.5, 0.1), SIM_OK);
    check_law(d, "gamma", 0.1, 2.5 * 0.04 * 0.04, ref_gamma, q);
    double q2[2] = { 0.5, 2.0 };   /* shape < 1: GSL's boosted sampler */
    assert_int_equal(sim_dist_gamma(&d, 0.5, 1.0), SIM_OK);
    check_law(d, "gamma-small-shape", 1.0, 0.5 * 4.0, ref_gamma, q2);
}

static void test_erlang(void **state)
{
    (void)state;
    sim_dist *d;
    double q[2] = { 3.0, 10.0 };   /* k, rate = k / mean */
    assert_int_equal(sim_dist_erlang(&d, 3, 0.3), SIM_OK);
    check_law(d, "erlang", 0.3, 3.0 * 0.1 * 0.1, ref_erlang, q);
    double q1[2] = { 1.0, 2.0 };   /* k = 1 is exponential */
    assert_int_equal(sim_dist_erlang(&d, 1, 0.5), SIM_OK);
    check_law(d, "erlang1", 0.5, 0.25, ref_erlang, q1);
}

static void check_weibull(double k, double mean, const char *label)
{
    double g1 = gsl_sf_gamma(1.0 + 1.0 / k), g2 = gsl_sf_gamma(1.0 + 2.0 / k);
    double scale = mean / g1;
    double q[2] = { scale, k };
    sim_dist *d;
    assert_int_equal(sim_dist_weibull(&d, k, mean), SIM_OK);
    check_law(d, label, mean, scale * scale * (g2 - g1 * g1), ref_weibull, q);
}

static void test_weibull(void **state)
{
    (void)state;
    check_weibull(1.5, 2.0, "weibull");
    check_weibull(0.7, 0.01, "weibull-heavy");
    check_weibull(1.0, 3.0, "weibull-exp");   /* shape 1 is exponential: var = mean^2 */
    sim_dist *d;
    assert_int_equal(sim_dist_weibull(&d, 1.0, 3.0), SIM_OK);
    assert_true(fabs(sim_dist_var(d) - 9.0) < 1e-12);
    sim_dist_free(d);
}

static void test_pareto(void **state)
{
    (void)state;
    sim_dist *d;
    double a = 5.0, xm = 0.1;
    double q[2] = { a, xm };
    assert_int_equal(sim_dist_pareto(&d, a, xm), SIM_OK);
    check_law(d, "pareto", a * xm / (a - 1.0), xm * xm * a / ((a - 1.0) * (a - 1.0) * (a - 2.0)),
              ref_pareto, q);
    /* by mean, alpha = 1.5: infinite variance (no CI check, KS only) */
    double q2[2] = { 1.5, 1.0 / 3.0 };
    assert_int_equal(sim_dist_pareto_mean(&d, 1.5, 1.0), SIM_OK);
    check_law(d, "pareto-mean", 1.0, INFINITY, ref_pareto, q2);
    /* moments that do not exist */
    assert_int_equal(sim_dist_pareto(&d, 2.0, 1.0), SIM_OK);
    assert_true(sim_dist_mean(d) == 2.0 && sim_dist_var(d) == INFINITY);
    sim_dist_free(d);
    assert_int_equal(sim_dist_pareto(&d, 0.8, 1.0), SIM_OK);
    assert_true(sim_dist_mean(d) == INFINITY && sim_dist_var(d) == INFINITY);
    sim_dist_free(d);
}

static void test_hyperexp(void **state)
{
    (void)state;
    sim_dist *d;
    const double p[2] = { 0.3, 0.7 }, m[2] = { 0.5, 2.0 };
    double q[4] = { 0.3, 0.5, 0.7, 2.0 };
    double mean = 0.3 * 0.5 + 0.7 * 2.0, m2 = 2.0 * (0.3 * 0.25 + 0.7 * 4.0);
    assert_int_equal(sim_dist_hyperexp(&d, 2, p, m), SIM_OK);
    check_law(d, "hyperexp", mean, m2 - mean * mean, ref_hyper2, q);
    /* probabilities within 1e-9 of summing to 1 are accepted and normalised */
    const double p3[3] = { 0.2, 0.0, 0.8 + 5e-10 }, m3[3] = { 1.0, 50.0, 2.0 };
    assert_int_equal(sim_dist_hyperexp(&d, 3, p3, m3), SIM_OK);
    assert_true(fabs(sim_dist_mean(d) - (0.2 + 1.6 + 1e-9) / (1.0 + 5e-10)) < 1e-12);
    sim_dist_free(d);
}

static void test_hyperexp_balanced(void **state)
{
    (void)state;
    const double mean = 1.0, scv = 4.0;
    double p1 = (1.0 + sqrt((scv - 1.0) / (scv + 1.0))) / 2.0, p2 = 1.0 - p1;
    double q[4] = { p1, mean / (2.0 * p1), p2, mean / (2.0 * p2) };
    sim_dist *d;
    assert_int_equal(sim_dist_hyperexp_balanced(&d, mean, scv), SIM_OK);
    assert_true(fabs(d->p[0] * d->v[0] - d->p[1] * d->v[1]) < 1e-12);   /* balanced means */
    check_law(d, "hyperexp-balanced", mean, scv * mean * mean, ref_hyper2, q);
    /* scv = 1 is the exponential */
    double e = 2.0;
    assert_int_equal(sim_dist_hyperexp_balanced(&d, 2.0, 1.0), SIM_OK);
    check_law(d, "hyperexp-scv1", 2.0, 4.0, ref_exp, &e);
}

static void test_empirical(void **state)
{
    (void)state;
    sim_dist *d;
    double mean = (0.7 + 0.2 + 1.5 + 0.1 + 0.2) / 5.0, var = 0.0;
    for (int i = 0; i < 5; i++)
        var += (EMP[i] - mean) * (EMP[i] - mean) / 5.0;
    double vals[5];
    memcpy(vals, EMP, sizeof vals);
    assert_int_equal(sim_dist_empirical(&d, vals, 5), SIM_OK);
    vals[0] = 100.0;   /* the law copied the values */
    assert_true(fabs(sim_dist_mean(d) - mean) < 1e-15);
    assert_true(sim_dist_cdf(d, 0.2) == 0.6 && sim_dist_cdf(d, 0.19) == 0.2);
    check_law(d, "empirical", mean, var, ref_empirical, NULL);
}

static void test_mixture(void **state)
{
    (void)state;
    sim_dist *parts[2], *d;
    assert_int_equal(sim_dist_exp(&parts[0], 0.01), SIM_OK);
    assert_int_equal(sim_dist_const(&parts[1], 1.0), SIM_OK);
    const double w[2] = { 9.0, 1.0 };   /* normalised to 0.9, 0.1 */
    assert_int_equal(sim_dist_mixture(&d, 2, w, parts), SIM_OK);
    double mean = 0.9 * 0.01 + 0.1 * 1.0, m2 = 0.9 * 2.0 * 0.0001 + 0.1 * 1.0;
    check_law(d, "mixture", mean, m2 - mean * mean, ref_mix, NULL);   /* frees the parts too */

    /* a mixture with a part of infinite variance has infinite variance */
    assert_int_equal(sim_dist_pareto(&parts[0], 1.5, 1.0), SIM_OK);
    assert_int_equal(sim_dist_const(&parts[1], 1.0), SIM_OK);
    assert_int_equal(sim_dist_mixture(&d, 2, w, parts), SIM_OK);
    assert_true(sim_dist_var(d) == INFINITY && isfinite(sim_dist_mean(d)));
    sim_dist_free(d);
}

/* N(q0, q1) without truncation */
static double ref_parent_normal(double x, const void *c)
{
    const double *q = c;
    return gsl_cdf_gaussian_P(x - q[0], q[1]);
}

/* ---- the checks above can fail ----------------------------------------------------------------- */

static void test_checks_have_power(void **state)
{
    (void)state;
    sim_dist *d;
    assert_int_equal(sim_dist_exp(&d, 1.0), SIM_OK);
    double *x = draw(d, "power");
    double wrong = 1.02;   /* a 2% error in the mean is caught by KS ... */
    assert_true(ks_stat(x, NSAMPLES, ref_exp, &wrong) > KS_CRIT_999);
    /* ... and by the confidence interval on the mean */
    assert_true(fabs(sample_mean(x, NSAMPLES) - wrong) > Z_999 * sqrt(1.0 / NSAMPLES));
    free(x);
    sim_dist_free(d);

    /* the truncated normal is not the parent normal: KS tells them apart */
    assert_int_equal(sim_dist_normal(&d, 0.5, 1.0), SIM_OK);
    x = draw(d, "power-normal");
    double q[2] = { 0.5, 1.0 };
    assert_true(ks_stat(x, NSAMPLES, ref_truncnorm, q) < KS_CRIT_999);
    double parent[2] = { 0.5, 1.0 };
    assert_true(ks_stat(x, NSAMPLES, ref_parent_normal, parent) > KS_CRIT_999);
    free(x);
    sim_dist_free(d);
}

/* ---- parameters, describe, clone, ownership, allocation ---------------------------------------- */

/* A macro so the call (which sets d) is sequenced before d is read. */
#define expect_einval(call, d)                                                                     \
    do {                                                                                           \
        d = (sim_dist *)&d;   /* any non-NULL value: the constructor must reset it */             \
        assert_int_equal((call), SIM_EINVAL);                                                      \
        assert_null(d);                                                                            \
    } while (0)

static void test_bad_parameters(void **state)
{
    (void)state;
    sim_dist *d = (sim_dist *)1;
    const double nan = NAN, inf = INFINITY;
    expect_einval(sim_dist_const(&d, -1.0), d);
    expect_einval(sim_dist_const(&d, nan), d);
    expect_einval(sim_dist_const(&d, inf), d);
    expect_einval(sim_dist_exp(&d, 0.0), d);
    expect_einval(sim_dist_exp(&d, -1.0), d);
    expect_einval(sim_dist_exp(&d, inf), d);
    expect_einval(sim_dist_uniform(&d, -0.1, 1.0), d);
    expect_einval(sim_dist_uniform(&d, 2.0, 1.0), d);
    expect_einval(sim_dist_uniform(&d, 0.0, inf), d);
    expect_einval(sim_dist_normal(&d, 1.0, -0.1), d);
    expect_einval(sim_dist_normal(&d, -1.0, 0.0), d);
    expect_einval(sim_dist_normal(&d, -21.0, 1.0), d);
    expect_einval(sim_dist_normal(&d, nan, 1.0), d);
    expect_einval(sim_dist_lognormal(&d, 0.0, -1.0), d);
    expect_einval(sim_dist_lognormal(&d, inf, 1.0), d);
    expect_einval(sim_dist_lognormal_mean_sd(&d, 0.0, 1.0), d);
    expect_einval(sim_dist_lognormal_mean_sd(&d, 1.0, -1.0), d);
    expect_einval(sim_dist_lognormal_median_p99(&d, 0.0, 1.0), d);
    expect_einval(sim_dist_lognormal_median_p99(&d, 2.0, 1.0), d);
    expect_einval(sim_dist_gamma(&d, 0.0, 1.0), d);
    expect_einval(sim_dist_gamma(&d, 1.0, 0.0), d);
    expect_einval(sim_dist_gamma(&d, -2.0, 1.0), d);
    expect_einval(sim_dist_erlang(&d, 0, 1.0), d);
    expect_einval(sim_dist_erlang(&d, 2, -1.0), d);
    expect_einval(sim_dist_weibull(&d, 0.0, 1.0), d);
    expect_einval(sim_dist_weibull(&d, 1.0, 0.0), d);
    expect_einval(sim_dist_weibull(&d, 1e-5, 1.0), d);   /* scale underflows */
    expect_einval(sim_dist_pareto(&d, 0.0, 1.0), d);
    expect_einval(sim_dist_pareto(&d, 1.0, 0.0), d);
    expect_einval(sim_dist_pareto_mean(&d, 1.0, 1.0), d);
    expect_einval(sim_dist_pareto_mean(&d, 2.0, 0.0), d);
    const double p_bad[2] = { 0.5, 0.4 }, p_neg[2] = { 1.5, -0.5 }, p_ok[2] = { 0.5, 0.5 };
    const double m_ok[2] = { 1.0, 2.0 }, m_bad[2] = { 1.0, 0.0 };
    expect_einval(sim_dist_hyperexp(&d, 2, p_bad, m_ok), d);
    expect_einval(sim_dist_hyperexp(&d, 2, p_neg, m_ok), d);
    expect_einval(sim_dist_hyperexp(&d, 2, p_ok, m_bad), d);
    expect_einval(sim_dist_hyperexp(&d, 0, p_ok, m_ok), d);
    expect_einval(sim_dist_hyperexp(&d, 2, NULL, m_ok), d);
    expect_einval(sim_dist_hyperexp_balanced(&d, 1.0, 0.5), d);
    expect_einval(sim_dist_hyperexp_balanced(&d, 0.0, 2.0), d);
    expect_einval(sim_dist_hyperexp_balanced(&d, 1.0, inf), d);
    const double v_bad[2] = { 1.0, -1.0 };
    expect_einval(sim_dist_empirical(&d, m_ok, 0), d);
    expect_einval(sim_dist_empirical(&d, v_bad, 2), d);
    expect_einval(sim_dist_empirical(&d, NULL, 2), d);
    assert_int_equal(sim_dist_const(NULL, 1.0), SIM_EINVAL);
    assert_int_equal(sim_dist_clone(&d, NULL), SIM_EINVAL);
    assert_null(d);
}

/* Counting allocator: tracks live blocks and can fail the Nth new allocation. */
static long g_live, g_calls, g_fail_at = -1;

static void *counting_alloc(void *ud, void *ptr, size_t osize, size_t nsize)
{
    (void)ud;
    (void)osize;
    if (nsize == 0) {
        if (ptr) {
            free(ptr);
            g_live--;
        }
        return NULL;
    }
    if (ptr)
        return realloc(ptr, nsize);
    if (g_fail_at >= 0 && g_calls++ == g_fail_at)
        return NULL;
    void *p = malloc(nsize);
    if (p)
        g_live++;
    return p;
}

static void test_mixture_ownership(void **state)
{
    (void)state;
    sim_alloc_set(counting_alloc, NULL);
    g_live = 0;
    g_fail_at = -1;
    sim_dist *parts[2], *d = NULL;
    assert_int_equal(sim_dist_exp(&parts[0], 1.0), SIM_OK);
    assert_int_equal(sim_dist_uniform(&parts[1], 0.0, 1.0), SIM_OK);
    const double w_bad[2] = { 1.0, 0.0 }, w_ok[2] = { 1.0, 3.0 };
    expect_einval(sim_dist_mixture(&d, 2, w_bad, parts), d);
    sim_dist *dup[2] = { parts[0], parts[0] };
    expect_einval(sim_dist_mixture(&d, 2, w_ok, dup), d);
    sim_dist *withnull[2] = { parts[0], NULL };
    expect_einval(sim_dist_mixture(&d, 2, w_ok, withnull), d);
    expect_einval(sim_dist_mixture(&d, 0, w_ok, parts), d);
    /* the caller still owns the parts: they are usable and freed here exactly once */
    assert_int_equal(g_live, 2);
    sim_rng r;
    sim_rng_init(&r, 1, 0, "own");
    assert_true(sim_dist_sample(parts[1], &r) <= 1.0);
    sim_dist_free(parts[0]);
    sim_dist_free(parts[1]);
    assert_int_equal(g_live, 0);
    sim_dist_free(NULL);
    sim_alloc_set(NULL, NULL);
}

/* Builds mixture(0.5 hyperexp, 0.5 mixture(empirical, const)): 12 allocations. On failure nothing
 * stays allocated. */
static int build_nested(sim_dist **out)
{
    sim_dist *h = NULL, *e = NULL, *c = NULL, *inner = NULL;
    const double p[2] = { 0.5, 0.5 }, m[2] = { 1.0, 3.0 }, v[3] = { 0.3, 0.1, 0.2 };
    int rc = sim_dist_hyperexp(&h, 2, p, m);
    if (rc == SIM_OK)
        rc = sim_dist_empirical(&e, v, 3);
    if (rc == SIM_OK)
        rc = sim_dist_const(&c, 0.5);
    if (rc == SIM_OK) {
        sim_dist *ip[2] = { e, c };
        rc = sim_dist_mixture(&inner, 2, p, ip);
        if (rc == SIM_OK)
            e = c = NULL;
    }
    if (rc == SIM_OK) {
        sim_dist *op[2] = { h, inner };
        rc = sim_dist_mixture(out, 2, p, op);
        if (rc == SIM_OK)
            h = inner = NULL;
    }
    sim_dist_free(h);
    sim_dist_free(e);
    sim_dist_free(c);
    sim_dist_free(inner);
    return rc;
}

static void test_allocation_failures(void **state)
{
    (void)state;
    sim_alloc_set(counting_alloc, NULL);
    g_live = 0;
    sim_dist *d = NULL;
    long n;
    for (n = 0;; n++) {
        g_calls = 0;
        g_fail_at = n;
        int rc = build_nested(&d);
        if (rc == SIM_OK)
            break;
        assert_int_equal(rc, SIM_ENOMEM);
        assert_null(d);
        assert_int_equal(g_live, 0);
    }
    assert_int_equal(n, 12);   /* every allocation was made to fail once */
    sim_dist *c = NULL;
    for (n = 0;; n++) {
        g_calls = 0;
        g_fail_at = n;
        int rc = sim_dist_clone(&c, d);
        if (rc == SIM_OK)
            break;
        assert_int_equal(rc, SIM_ENOMEM);
        assert_null(c);
        assert_int_equal(g_live, 12);
    }
    assert_int_equal(n, 12);
    g_fail_at = -1;
    sim_dist_free(c);
    sim_dist_free(d);
    assert_int_equal(g_live, 0);
    sim_alloc_set(NULL, NULL);
}

static void test_clone(void **state)
{
    (void)state;
    sim_dist *d, *c;
    assert_int_equal(build_nested(&d), SIM_OK);
    assert_int_equal(sim_dist_clone(&c, d), SIM_OK);
    assert_ptr_not_equal(c, d);
    assert_ptr_not_equal(c->parts, d->parts);
    char a[256], b[256];
    assert_true(sim_dist_describe(d, a, sizeof a) > 0);
    assert_true(sim_dist_describe(c, b, sizeof b) > 0);
    assert_string_equal(a, b);
    sim_rng r1, r2;
    sim_rng_init(&r1, 3, 0, "clone");
    r2 = r1;
    for (int i = 0; i < 10000; i++)
        assert_true(sim_dist_sample(d, &r1) == sim_dist_sample(c, &r2));
    assert_true(sim_dist_mean(c) == sim_dist_mean(d) && sim_dist_var(c) == sim_dist_var(d));
    sim_dist_free(d);
    sim_rng_init(&r1, 3, 0, "clone");   /* the clone is independent of the freed original */
    assert_true(sim_dist_sample(c, &r1) >= 0.0);
    sim_dist_free(c);
}

static void expect_text(sim_dist *d, const char *want)
{
    char buf[256];
    assert_non_null(d);
    int n = sim_dist_describe(d, buf, sizeof buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, (int)strlen(want));
    sim_dist_free(d);
}

static void test_describe(void **state)
{
    (void)state;
    sim_dist *d, *parts[2];
    sim_dist_const(&d, 0.25);
    expect_text(d, "const(value=0.25)");
    sim_dist_exp(&d, 0.02);
    expect_text(d, "exp(mean=0.02)");
    sim_dist_uniform(&d, 0.1, 0.3);
    expect_text(d, "uniform(lo=0.1, hi=0.3)");
    sim_dist_normal(&d, 1.0, 0.4);
    expect_text(d, "normal(mean=1, sd=0.4)");
    sim_dist_lognormal(&d, -3.0, 0.6);
    expect_text(d, "lognormal(mu=-3, sigma=0.6)");
    sim_dist_lognormal_mean_sd(&d, 1.0, 0.0);
    expect_text(d, "lognormal(mu=0, sigma=0)");
    sim_dist_gamma(&d, 2.5, 0.1);
    expect_text(d, "gamma(shape=2.5, mean=0.1)");
    sim_dist_erlang(&d, 3, 0.3);
    expect_text(d, "erlang(k=3, mean=0.3)");
    sim_dist_weibull(&d, 1.5, 2.0);
    expect_text(d, "weibull(shape=1.5, mean=2)");
    sim_dist_pareto(&d, 5.0, 0.1);
    expect_text(d, "pareto(alpha=5, min=0.1)");
    sim_dist_pareto_mean(&d, 2.0, 1.0);
    expect_text(d, "pareto(alpha=2, min=0.5)");
    const double p[2] = { 0.3, 0.7 }, m[2] = { 0.5, 2.0 };
    sim_dist_hyperexp(&d, 2, p, m);
    expect_text(d, "hyperexp(probs={0.3, 0.7}, means={0.5, 2})");
    sim_dist_hyperexp_balanced(&d, 1.0, 1.0);
    expect_text(d, "hyperexp(probs={0.5, 0.5}, means={1, 1})");
    sim_dist_empirical(&d, EMP, 5);
    expect_text(d, "empirical(n=5, mean=0.54)");
    sim_dist_exp(&parts[0], 0.01);
    sim_dist_const(&parts[1], 1.0);
    const double w[2] = { 9.0, 1.0 };
    sim_dist_mixture(&d, 2, w, parts);
    expect_text(d, "mixture(0.9*exp(mean=0.01), 0.1*const(value=1))");

    /* snprintf-style truncation and length query */
    sim_dist_exp(&d, 0.02);
    char small[8];
    assert_int_equal(sim_dist_describe(d, small, sizeof small), 14);
    assert_string_equal(small, "exp(mea");
    assert_int_equal(sim_dist_describe(d, NULL, 0), 14);
    assert_int_equal(sim_dist_describe(d, NULL, 5), SIM_EINVAL);
    assert_int_equal(sim_dist_describe(NULL, small, sizeof small), SIM_EINVAL);
    sim_dist_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_const),
        cmocka_unit_test(test_exp),
        cmocka_unit_test(test_uniform),
        cmocka_unit_test(test_normal),
        cmocka_unit_test(test_lognormal),
        cmocka_unit_test(test_lognormal_mean_sd),
        cmocka_unit_test(test_lognormal_median_p99),
        cmocka_unit_test(test_gamma),
        cmocka_unit_test(test_erlang),
        cmocka_unit_test(test_weibull),
        cmocka_unit_test(test_pareto),
        cmocka_unit_test(test_hyperexp),
        cmocka_unit_test(test_hyperexp_balanced),
        cmocka_unit_test(test_empirical),
        cmocka_unit_test(test_mixture),
        cmocka_unit_test(test_checks_have_power),
        cmocka_unit_test(test_bad_parameters),
        cmocka_unit_test(test_mixture_ownership),
        cmocka_unit_test(test_allocation_failures),
        cmocka_unit_test(test_clone),
        cmocka_unit_test(test_describe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
