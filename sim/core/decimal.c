/* decimal: see decimal.h. */
#include "core/decimal.h"

#include <float.h>
#include <math.h>
#include <string.h>

static const double pow10d[] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                 1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };

int sim_dec_scale(double v, int digits, long double *y, int *k)
{
#if LDBL_MANT_DIG >= 64
    static const long double pow10l[] = {
        1e0L,  1e1L,  1e2L,  1e3L,  1e4L,  1e5L,  1e6L,  1e7L,  1e8L,  1e9L,
        1e10L, 1e11L, 1e12L, 1e13L, 1e14L, 1e15L, 1e16L, 1e17L, 1e18L, 1e19L,
        1e20L, 1e21L, 1e22L, 1e23L, 1e24L, 1e25L, 1e26L, 1e27L };
    const long double lo = pow10l[digits - 1], hi = pow10l[digits];
    /* floor(log10(v)) or one less, from the binary exponent (log10 costs as much as the rest
     * of the number): the loop moves e to the right decade either way. The exponent is read off
     * the bits (subnormals are rough, and corrected by the loop like the others), and
     * floor(b x log10 2) is (b x 78913) >> 18 for |b| < 1 700, no call into the C library. */
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int b = (int)((bits >> 52) & 0x7ff) - 1023;
    int e = b >= 0 ? (b * 78913) >> 18 : -((-b * 78913 + (1 << 18) - 1) >> 18);
    long double s = 0;
    for (int tries = 0; tries < 3; tries++) {   /* e may be one off */
        *k = digits - 1 - e;
        if (*k < -27 || *k > 27)
            return 0;
        s = *k >= 0 ? (long double)v * pow10l[*k] : (long double)v / pow10l[-*k];
        if (s < lo)
            e--;
        else if (s >= hi)
            e++;
        else
            break;
    }
    *y = s;
    return s >= lo && s < hi;
#else
    (void)v, (void)digits, (void)y, (void)k;
    return 0;
#endif
}

int sim_dec_exact(uint64_t m, int k, double *out)
{
    if (!(m <= (UINT64_C(1) << 53) && k >= -22 && k <= 22))
        return 0;
    *out = k >= 0 ? (double)m * pow10d[k] : (double)m / pow10d[-k];
    return 1;
}
