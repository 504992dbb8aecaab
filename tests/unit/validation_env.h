/* The environment the statistical tests share (docs/testing.md): DESSA_VALIDATION_SCALE, a
 * positive factor on how much each test simulates (its statistics window or its replications;
 * 1 when absent or not positive), and DESSA_VALIDATION_JUDGE=0, print the verdicts without
 * failing on them. The sanitizer build sets both (tests/CMakeLists.txt). */
#ifndef DESSA_TEST_VALIDATION_ENV_H
#define DESSA_TEST_VALIDATION_ENV_H

#include <stdlib.h>
#include <string.h>

static inline double validation_scale(void)
{
    const char *s = getenv("DESSA_VALIDATION_SCALE");
    return s && *s && atof(s) > 0 ? atof(s) : 1.0;
}

static inline int validation_judge(void)
{
    const char *s = getenv("DESSA_VALIDATION_JUDGE");
    return !(s && !strcmp(s, "0"));
}

#endif
