/* summary: statistics of a grid of cells across replications — n, mean, standard deviation and
 * the Student t half-width of each cell's mean.
 *
 * A cell is one number of one entity (a row) in each replication (flows.csv's `latency_p99` of
 * flow `web`, say). Values are added one replication at a time and kept as Welford tallies, so
 * memory is O(rows x columns) whatever the number of replications; two summaries of the same
 * shape merge exactly (Chan et al.), e.g. the shards of a sweep. NaN ("no value") is not added. */
#ifndef SIM_SUMMARY_H
#define SIM_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "stats/tally.h"

typedef struct sim_summary {
    size_t nrows, ncols;
    sim_tally *cells;        /* row-major */
} sim_summary;

/* What one cell says. */
typedef struct sim_summary_stat {
    uint64_t n;              /* values added (NaNs excluded) */
    double mean;             /* NAN when n == 0 */
    double sd;               /* NAN when n < 2 */
    double half;             /* t half-width of the mean at the level asked; NAN when n < 2 */
} sim_summary_stat;

/* SIM_OK or SIM_ENOMEM (then s holds nothing). */
int sim_summary_init(sim_summary *s, size_t nrows, size_t ncols);
void sim_summary_fini(sim_summary *s);
/* Adds x to cell (row, col); NaN is skipped. Out-of-range cells are ignored. */
void sim_summary_add(sim_summary *s, size_t row, size_t col, double x);
/* Adds src's values into dst cell by cell. SIM_OK, or SIM_EINVAL if the shapes differ. */
int sim_summary_merge(sim_summary *dst, const sim_summary *src);
/* The statistics of one cell at a confidence level in (0, 1), e.g. 0.95. */
sim_summary_stat sim_summary_get(const sim_summary *s, size_t row, size_t col, double level);

#endif
