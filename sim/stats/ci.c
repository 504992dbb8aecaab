/* ci: Student t and batch-means confidence intervals (see ci.h). */
#include "stats/ci.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

#include "core/error.h"

/* True when level is a usable confidence level (also rejects NaN). */
static int level_ok(double level)
{
    return level > 0.0 && level < 1.0;
}

double sim_ci_t_crit(size_t n, double level)
{
    if (n < 2 || !level_ok(level))
        return NAN;
    /* A summary asks for the same quantile for every metric (the same n and level), and GSL
     * takes some 10 000 instructions for it: the last answer is kept, per thread. */
    static _Thread_local size_t last_n;
    static _Thread_local double last_level, last_t;
    if (n != last_n || level != last_level) {
        last_t = gsl_cdf_tdist_Pinv(0.5 * (1.0 + level), (double)(n - 1));
        last_n = n;
        last_level = level;
    }
    return last_t;
}

double sim_ci_t_halfwidth(const sim_tally *t, double level)
{
    if (t->n < 2 || !level_ok(level))
        return NAN;
    double n = (double)t->n;
    return sim_ci_t_crit((size_t)t->n, level) * sim_tally_sd(t) / sqrt(n);
}

int sim_ci_batch_means(const double *x, size_t n, size_t batches, double level, double *mean,
                       double *half)
{
    if (!x || !mean || !half || batches < 2 || n < batches || !level_ok(level))
        return SIM_EINVAL;
    size_t size = n / batches;
    const double *p = x + (n - size * batches);
    sim_tally means;
    sim_tally_reset(&means);
    for (size_t k = 0; k < batches; k++) {
        double s = 0.0;
        for (size_t j = 0; j < size; j++)
            s += p[j];
        p += size;
        sim_tally_add(&means, s / (double)size);
    }
    *mean = means.mean;
    *half = sim_ci_t_halfwidth(&means, level);
    return SIM_OK;
}
