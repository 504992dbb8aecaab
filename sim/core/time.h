/* time: the simulated clock's type and its limits.
 *
 * Simulated time is a double number of seconds from 0. A double keeps 52 bits of mantissa, so
 * the resolution at time t is about t * 2.2e-16: 1e-12 s at one hour, 2.2e-10 s at 10^6 s
 * (11.6 days), 2.2e-7 s at 10^9 s (32 years). Latencies are differences of two such times. A
 * run may last at most SIM_DURATION_MAX seconds; docs/model.md states what that means for the
 * shortest steps a model may use. Every scheduled time is checked (not NaN, not before now), and
 * a positive delay too short to move the clock stops the run with an error instead of freezing
 * time. The typedef keeps a later move to integer ticks mechanical. */
#ifndef SIM_TIME_H
#define SIM_TIME_H

#include <math.h>

typedef double sim_time;

#define SIM_TIME_NEVER ((sim_time)INFINITY)
#define SIM_DURATION_MAX 1e10   /* about 317 years */

#endif
