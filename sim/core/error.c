/* error: texts for the engine's error codes, and the failure report of debug checks. */
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>

#include "core/check.h"

const char *sim_strerror(int code)
{
    switch (code) {
    case SIM_OK: return "success";
    case SIM_ENOMEM: return "out of memory";
    case SIM_EINVAL: return "invalid argument";
    case SIM_EIO: return "input/output error";
    case SIM_ELEDGER: return "accounting mismatch at the end of the run";
    case SIM_ESTATE: return "operation not allowed in this state";
    case SIM_ELUA: return "Lua error";
    case SIM_ESTOPPED: return "stopped";
    case SIM_ESTALL: return "simulated time stopped advancing";
    case SIM_EMODEL: return "the model cannot run";
    }
    return "unknown error";
}

#ifndef NDEBUG
/* Debug builds only: an impossible condition happened. The one place in the engine that prints:
 * it is about to abort, and the message is for the developer reading the test log. */
void sim_check_failed(const char *cond, const char *file, int line)
{
    fprintf(stderr, "%s:%d: internal check failed: %s\n", file, line, cond);
    abort();
}
#endif
