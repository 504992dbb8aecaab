/* ci: confidence intervals for means: Student t intervals from a tally and batch means over a
 * (possibly autocorrelated) series. Uses GSL's t quantile; arguments are checked first so GSL's
 * error handler (which aborts by default) is never reached. */
#ifndef SIM_CI_H
#define SIM_CI_H

#include <stddef.h>

#include "stats/tally.h"

/* The two-sided Student t critical value t_{n-1, (1+level)/2} for n observations at confidence
 * level in (0, 1). NAN if n < 2 or level is outside (0, 1). */
double sim_ci_t_crit(size_t n, double level);

/* Half-width of the level confidence interval for the mean of t's observations:
 * t_{n-1,(1+level)/2} * sd / sqrt(n). NAN if t->n < 2 or level is outside (0, 1). */
double sim_ci_t_halfwidth(const sim_tally *t, double level);

/* Batch means over x[0..n): drops the n % batches oldest values (at the start), splits the rest into
 * `batches` equal consecutive batches, and stores the mean of the batch means in *mean and the
 * Student t half-width (batches - 1 degrees of freedom) at `level` in *half. Returns SIM_OK, or
 * SIM_EINVAL (outputs untouched) if batches < 2, n < batches, level is outside (0, 1), or a pointer
 * is NULL. */
int sim_ci_batch_means(const double *x, size_t n, size_t batches, double level, double *mean,
                       double *half);

#endif
