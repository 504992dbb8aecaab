/* decimal: the two exact steps that turning doubles into decimal digits and back rests on,
 * shared by the CSV writer (sim/out/csv.c) and the rounding of reported quantiles
 * (sim/model/result.c), each without snprintf or strtod for almost every value. */
#ifndef SIM_DECIMAL_H
#define SIM_DECIMAL_H

#include <stdint.h>

/* v > 0 scaled to `digits` digits before the point: *y = v x 10^*k in [10^(digits-1),
 * 10^digits), from one multiplication or division in long double by an exact power of ten
 * (|k| <= 27). With a 64-bit significand, y is within a quarter of 2^-7 of the exact product
 * for digits <= 17 (closer for fewer). 1, or 0 when long double is narrower, when the power
 * needed is out of range, or when the decade is not reached. */
int sim_dec_scale(double v, int digits, long double *y, int *k);

/* The value of the decimal m x 10^k when both m and 10^k are exact doubles (m <= 2^53,
 * |k| <= 22: Clinger's fast path, one correctly rounded product or quotient, which is what
 * strtod gives): 1 and the value in *out, or 0. */
int sim_dec_exact(uint64_t m, int k, double *out);

#endif
